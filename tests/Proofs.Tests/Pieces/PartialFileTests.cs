using Kiln.Proofs.Pieces;

namespace Kiln.Proofs.Tests.Pieces;

public sealed class PartialFileTests
{
    [Fact]
    public void Rle_plus_matches_the_go_bitfield_reference_encoding()
    {
        // go-bitfield rle TestDecode: {0, 2, 4, 5, 6, 11..27} encodes to [124, 71, 34, 2].
        var runs = new List<(bool, ulong)> { (true, 1), (false, 1), (true, 1), (false, 1), (true, 3), (false, 4), (true, 17) };
        Assert.Equal(new byte[] { 124, 71, 34, 2 }, RlePlus.Encode(runs));
        Assert.Equal(runs, RlePlus.Decode([124, 71, 34, 2]));
    }

    [Fact]
    public void Lotus_trailer_vectors()
    {
        // Lotus storage/sealer/partialfile/partialfile.go writeTrailer (go-bitfield RLE+): fully allocated 2 KiB, and the second half allocated.
        Assert.Equal(new byte[] { 0x04, 0x10, 0x02 }, RlePlus.Encode([(true, 2048)]));
        Assert.Equal(new byte[] { 0x00, 0x10, 0x01, 0x40, 0x04 }, RlePlus.Encode([(false, 1024), (true, 1024)]));
        Assert.Equal([(false, 1024UL), (true, 1024UL)], RlePlus.Decode([0x00, 0x10, 0x01, 0x40, 0x04]));
    }

    [Fact]
    public async Task Free_punches_the_range_out_of_the_data_and_the_trailer_and_keeps_the_rest()
    {
        // Lotus storage/sealer/partialfile PartialFile.Free: deallocate on disk, subtract from the allocated runs.
        var path = Path.Combine(Directory.CreateTempSubdirectory("kiln-pf-").FullName, "unsealed");
        var first = Enumerable.Range(0, 1016).Select(i => (byte)(i * 7)).ToArray();
        var second = Enumerable.Range(0, 1016).Select(i => (byte)(i * 13 + 1)).ToArray();
        await AddPiece.WriteAsync(path, 2048, [], new UnpaddedPieceSize(1016), new MemoryStream(first), CancellationToken.None);
        await AddPiece.WriteAsync(path, 2048, [new UnpaddedPieceSize(1016)], new UnpaddedPieceSize(1016), new MemoryStream(second), CancellationToken.None);
        var before = File.ReadAllBytes(path);
        using (var file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite))
        {
            Assert.Equal([(0UL, 2048UL)], PartialFile.ReadAllocated(file, 2048));
            PartialFile.Free(file, 2048, 1024, 1024);
            Assert.Equal([(0UL, 1024UL)], PartialFile.ReadAllocated(file, 2048));
            Assert.Throws<ProofsException>(() => PartialFile.Free(file, 2048, 1024, 2048));
        }

        var after = File.ReadAllBytes(path);
        Assert.Equal(before.AsSpan(0, 1024).ToArray(), after.AsSpan(0, 1024).ToArray());
        Assert.All(after.AsSpan(1024, 1024).ToArray(), b => Assert.Equal(0, b));
        // Trailer: 1024 allocated then nothing, as go-bitfield encodes [(true, 1024)].
        Assert.Equal(RlePlus.Encode([(true, 1024)]), after.AsSpan(2048, after.Length - 2048 - 4).ToArray());
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }

    [Fact]
    public void Empty_bitfield_is_one_zero_byte()
    {
        Assert.Equal(new byte[] { 0 }, RlePlus.Encode([]));
        Assert.Empty(RlePlus.Decode([0]));
        Assert.Empty(RlePlus.Decode([]));
    }

    [Theory]
    [InlineData(2048UL)]
    [InlineData(8388608UL)]
    [InlineData(34359738368UL)]
    public void Whole_sector_round_trips(ulong size)
    {
        var runs = new List<(bool, ulong)> { (true, size) };
        Assert.Equal(runs, RlePlus.Decode(RlePlus.Encode(runs)));
    }

    [Fact]
    public void Random_runs_round_trip()
    {
        var rng = new Random(42);
        for (var t = 0; t < 200; t++)
        {
            var runs = new List<(bool, ulong)>();
            var v = rng.Next(2) == 1;
            var n = rng.Next(1, 20);
            for (var i = 0; i < n; i++)
            {
                runs.Add((v, (ulong)(rng.Next(3) switch { 0 => 1, 1 => rng.Next(2, 16), _ => rng.Next(16, 1 << 30) })));
                v = !v;
            }

            if (!runs[^1].Item1)
            {
                runs.RemoveAt(runs.Count - 1);
            }

            Assert.Equal(runs, RlePlus.Decode(RlePlus.Encode(runs)));
        }
    }

    [Fact]
    public void Consecutive_runs_with_the_same_value_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => RlePlus.Encode([(true, 5), (true, 8)]));
    }

    [Fact]
    public void Trailer_round_trips_and_merges_ranges()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("kiln-pf-").FullName, "unsealed");
        using (var h = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite))
        {
            RandomAccess.Write(h, new byte[2048], 0);
            PartialFile.WriteTrailer(h, 2048, [(0, 128), (128, 128), (512, 512)]);
            Assert.Equal([(0UL, 256UL), (512UL, 512UL)], PartialFile.ReadAllocated(h, 2048));

            // Lotus CreatePartialFile: an empty trailer is a single zero byte.
            PartialFile.WriteTrailer(h, 2048, []);
            Assert.Equal(2048 + 1 + 4, RandomAccess.GetLength(h));
            Assert.Empty(PartialFile.ReadAllocated(h, 2048));
        }
    }

    [Fact]
    public void Inconsistent_length_is_a_clear_error()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("kiln-pf-").FullName, "unsealed");
        File.WriteAllBytes(path, new byte[2048 + 10]);
        using var h = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        var e = Assert.Throws<ProofsException>(() => PartialFile.ReadAllocated(h, 2048));
        Assert.Contains("inconsistent length", e.Message, StringComparison.Ordinal);
    }
}
