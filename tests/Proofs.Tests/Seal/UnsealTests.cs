using Kiln.Proofs.Fr32;
using Kiln.Proofs.Pieces;
using Kiln.Proofs.Sdr;
using Kiln.Proofs.Seal;

namespace Kiln.Proofs.Tests.Seal;

/// <summary>
/// Unseal (Lotus ffiwrapper Sealer.UnsealPiece over rust-fil-proofs unseal_range) of sectors sealed by Kiln's AddPiece,
/// PC1 and PC2 from two pieces of known data: the bytes come back, allocated ranges are a no-op, a wrong comm_d or a bad
/// range is a clear error that leaves the unsealed file as it was, and nothing lands in the cache directory.
/// </summary>
public sealed class UnsealTests : IDisposable
{
    private const ulong Miner = 1000;
    private const ulong Number = 7;
    private static readonly byte[] Ticket = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-unseal-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private ParentCacheOptions Parents => new() { Directory = Path.Combine(_dir, "parents") };

    private sealed record Sealed(SealProofInfo Proof, string Unsealed, string SealedPath, string Cache, byte[] CommD, byte[] First, byte[] Second, byte[] UnsealedBytes);

    /// <summary>Two pieces of half a sector each, random data, sealed through PC2.</summary>
    private async Task<Sealed> SealTwoPiecesAsync(RegisteredSealProof proof, int seed)
    {
        var info = SealProofInfo.Get(proof);
        var half = new PaddedPieceSize(info.SectorSize / 2).Unpadded();
        var random = new Random(seed);
        var first = new byte[half.Value];
        var second = new byte[half.Value];
        random.NextBytes(first);
        random.NextBytes(second);
        var unsealed = Path.Combine(_dir, "unsealed");
        var p1 = (await AddPiece.WriteAsync(unsealed, info.SectorSize, [], half, new MemoryStream(first), CancellationToken.None)).Piece;
        var p2 = (await AddPiece.WriteAsync(unsealed, info.SectorSize, [half], half, new MemoryStream(second), CancellationToken.None)).Piece;
        var cache = Path.Combine(_dir, "cache");
        var sealedPath = Path.Combine(_dir, "sealed");
        var pc1 = await PreCommit1.RunAsync(new PreCommit1Request(info, unsealed, sealedPath, cache, Miner, Number, Ticket, [p1, p2]), Parents);
        var pc2 = await PreCommit2.RunAsync(pc1, cache, sealedPath);
        return new Sealed(info, unsealed, sealedPath, cache, pc2.CommD, first, second, File.ReadAllBytes(unsealed));
    }

    private UnsealRequest Request(Sealed s, ulong offset, ulong size, byte[]? commD = null) =>
        new(s.Proof, s.SealedPath, s.Unsealed, Miner, Number, Ticket, commD ?? s.CommD, offset, size);

    private static byte[] Unpadded(byte[] file, ulong paddedOffset, ulong paddedSize)
    {
        var result = new byte[paddedSize / 128 * 127];
        Fr32Padding.Unpad(file.AsSpan((int)paddedOffset, (int)paddedSize), result);
        return result;
    }

    private static List<(ulong, ulong)> Allocated(string path, ulong sectorSize)
    {
        using var handle = File.OpenHandle(path);
        return PartialFile.ReadAllocated(handle, sectorSize);
    }

    private static string[] CacheListing(string cache) =>
        [.. Directory.GetFiles(cache).Select(f => $"{Path.GetFileName(f)}:{new FileInfo(f).Length}:{File.GetLastWriteTimeUtc(f).Ticks}").Order(StringComparer.Ordinal)];

    [Theory]
    [InlineData(RegisteredSealProof.StackedDrg2KiBV1_1)]
    [InlineData(RegisteredSealProof.StackedDrg8MiBV1_1)]
    public async Task The_second_piece_of_a_sector_without_unsealed_file_comes_back_and_a_second_unseal_is_a_no_op(RegisteredSealProof proof)
    {
        var s = await SealTwoPiecesAsync(proof, seed: (int)proof);
        var half = s.Proof.SectorSize / 2;
        var cacheBefore = CacheListing(s.Cache);
        File.Delete(s.Unsealed);

        var result = await Unseal.RunAsync(Request(s, half / 128 * 127, half / 128 * 127), Parents);

        Assert.Equal([(half, half)], result.Decoded);
        var file = File.ReadAllBytes(s.Unsealed);
        Assert.Equal((long)s.Proof.SectorSize + 4 + PartialFileTrailerLength([(half, half)]), file.Length);
        Assert.Equal(s.Second, Unpadded(file, half, half));
        Assert.Equal(s.UnsealedBytes.AsSpan((int)half, (int)half).ToArray(), file.AsSpan((int)half, (int)half).ToArray());
        Assert.Equal([(half, half)], Allocated(s.Unsealed, s.Proof.SectorSize));
        Assert.True(file.AsSpan(0, (int)half).IndexOfAnyExcept((byte)0) < 0, "the first piece was not asked for and stays unallocated zeros");
        Assert.Equal(cacheBefore, CacheListing(s.Cache));

        var again = await Unseal.RunAsync(Request(s, half / 128 * 127, half / 128 * 127), Parents);
        Assert.True(again.NothingToDo);
        Assert.Equal(file, File.ReadAllBytes(s.Unsealed));
    }

    private static long PartialFileTrailerLength(List<(ulong, ulong)> allocated) => RlePlus.Encode(PartialFile.ToRuns(allocated)).Length;

    [Fact]
    public async Task A_freed_range_is_decoded_again_and_the_allocated_rest_is_not_rewritten()
    {
        var s = await SealTwoPiecesAsync(RegisteredSealProof.StackedDrg2KiBV1_1, seed: 5);
        FreeSecondHalf(s);
        var before = File.ReadAllBytes(s.Unsealed);

        // The whole sector asked for, as Lotus's manager does: only the freed half is missing.
        var all = new PaddedPieceSize(2048).Unpadded().Value;
        Assert.Equal([(1024UL, 1024UL)], Unseal.MissingRanges(s.Unsealed, 2048, 0, all, "s-t01000-7"));
        var result = await Unseal.RunAsync(Request(s, 0, all), Parents);

        Assert.Equal([(1024UL, 1024UL)], result.Decoded);
        var after = File.ReadAllBytes(s.Unsealed);
        Assert.Equal(s.UnsealedBytes, after);
        Assert.Equal(before.AsSpan(0, 1024).ToArray(), after.AsSpan(0, 1024).ToArray());
        Assert.Equal(s.First, Unpadded(after, 0, 1024));
        Assert.Equal(s.Second, Unpadded(after, 1024, 1024));
        Assert.Equal([(0UL, 2048UL)], Allocated(s.Unsealed, 2048));
    }

    /// <summary>Lotus partialfile Free: the range's bytes dropped (zeroed here) and unmarked in the trailer.</summary>
    private static void FreeSecondHalf(Sealed s)
    {
        using var handle = File.OpenHandle(s.Unsealed, FileMode.Open, FileAccess.ReadWrite);
        RandomAccess.Write(handle, new byte[s.Proof.SectorSize / 2], (long)(s.Proof.SectorSize / 2));
        PartialFile.WriteTrailer(handle, s.Proof.SectorSize, [(0, s.Proof.SectorSize / 2)]);
    }

    [Fact]
    public async Task A_wrong_comm_d_is_a_clear_error_that_leaves_the_unsealed_file_untouched()
    {
        var s = await SealTwoPiecesAsync(RegisteredSealProof.StackedDrg2KiBV1_1, seed: 9);
        FreeSecondHalf(s);
        var before = File.ReadAllBytes(s.Unsealed);
        var wrong = ZeroComm.ForPaddedSize(2048).ToArray();

        var e = await Assert.ThrowsAsync<ProofsException>(() => Unseal.RunAsync(Request(s, 1016, 1016, wrong), Parents));
        Assert.Contains("s-t01000-7", e.Message, StringComparison.Ordinal);
        Assert.Contains("comm_d " + Kiln.Proofs.Multiformats.CommCid.ToPieceCid(wrong), e.Message, StringComparison.Ordinal);
        Assert.Contains("not Fr32-padded", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(s.Unsealed));

        // With no unsealed file at all, none is created.
        File.Delete(s.Unsealed);
        await Assert.ThrowsAsync<ProofsException>(() => Unseal.RunAsync(Request(s, 1016, 1016, wrong), Parents));
        Assert.False(File.Exists(s.Unsealed));

        // A wrong ticket is a wrong replica id too.
        var request = Request(s, 1016, 1016) with { Ticket = new byte[32] };
        Assert.Contains("not Fr32-padded", (await Assert.ThrowsAsync<ProofsException>(() => Unseal.RunAsync(request, Parents))).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2032UL, 127UL, "outside the 2048-byte sector")]
    [InlineData(1016UL, 2032UL, "outside the 2048-byte sector")]
    [InlineData(100UL, 127UL, "not a multiple of 127")]
    [InlineData(0UL, 1000UL, "not a valid unpadded piece size")]
    [InlineData(0UL, 0UL, "not a valid unpadded piece size")]
    public async Task Invalid_or_out_of_range_requests_are_refused_before_any_work(ulong offset, ulong size, string why)
    {
        var s = await SealTwoPiecesAsync(RegisteredSealProof.StackedDrg2KiBV1_1, seed: 3);
        var before = File.ReadAllBytes(s.Unsealed);
        var e = await Assert.ThrowsAsync<ProofsException>(() => Unseal.RunAsync(Request(s, offset, size), Parents));
        Assert.Contains(why, e.Message, StringComparison.Ordinal);
        Assert.Contains("s-t01000-7", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(s.Unsealed));
    }

    [Fact]
    public async Task The_decoding_key_is_the_last_layer_pc1_wrote()
    {
        var s = await SealTwoPiecesAsync(RegisteredSealProof.StackedDrg2KiBV1_1, seed: 1);
        var replicaId = ReplicaId.Compute(ProverId.FromActorId(Miner), Number, Ticket, s.CommD, s.Proof.PoRepId.Span);
        using var parents = await ParentCache.OpenOrCreateAsync(s.Proof, Parents, null, CancellationToken.None);
        foreach (var kernel in new[] { LabelKernel.Managed, LabelKernel.Auto })
        {
            using var key = DecodingKey.Label(parents, replicaId, s.Proof.Layers, kernel);
            Assert.Equal(File.ReadAllBytes(CacheFiles.Layer(s.Cache, s.Proof.Layers)), key.GetSpan().ToArray());
        }
    }

    [Fact]
    public void Missing_ranges_subtract_the_allocated_runs()
    {
        Assert.Equal([(0UL, 128UL), (256UL, 256UL)], Unseal.Subtract(0, 1024, [(128, 128), (512, 1024)]));
        Assert.Empty(Unseal.Subtract(256, 256, [(0, 1024)]));
        Assert.Equal([(256UL, 256UL)], Unseal.Subtract(256, 256, []));
        Assert.Equal([(384UL, 128UL)], Unseal.Subtract(256, 256, [(0, 384)]));
    }
}
