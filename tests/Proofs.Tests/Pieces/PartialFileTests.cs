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
        // vectors-lotus-api.md §0.9: fully allocated 2 KiB, and the second half allocated.
        Assert.Equal(new byte[] { 0x04, 0x10, 0x02 }, RlePlus.Encode([(true, 2048)]));
        Assert.Equal(new byte[] { 0x00, 0x10, 0x01, 0x40, 0x04 }, RlePlus.Encode([(false, 1024), (true, 1024)]));
        Assert.Equal([(false, 1024UL), (true, 1024UL)], RlePlus.Decode([0x00, 0x10, 0x01, 0x40, 0x04]));
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
