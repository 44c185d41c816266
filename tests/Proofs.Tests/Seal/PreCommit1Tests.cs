using System.Security.Cryptography;
using System.Text;
using Kiln.Api.IO;
using Kiln.Proofs.Pieces;
using Kiln.Proofs.Sdr;
using Kiln.Proofs.Seal;

namespace Kiln.Proofs.Tests.Seal;

/// <summary>PreCommit1 end to end on zero (CC) sectors: the inputs of Lotus cmd/lotus-bench/simple.go simplePreCommit1 (ticket 01×32)
/// and of the example steps in its help text (zero ticket).</summary>
public sealed class PreCommit1Tests : IDisposable
{
    private static readonly byte[] OnesTicket = Enumerable.Repeat((byte)1, 32).ToArray();
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-pc1-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private ParentCacheOptions Parents => new() { Directory = Path.Combine(_dir, "parents") };

    private async Task<(PreCommit1Output Output, string Cache, string Sealed)> RunZeroSectorAsync(RegisteredSealProof proof, byte[] ticket)
    {
        var info = SealProofInfo.Get(proof);
        var unsealed = Path.Combine(_dir, "unsealed");
        var piece = (await AddPiece.WriteAsync(unsealed, info.SectorSize, [], new PaddedPieceSize(info.SectorSize).Unpadded(), new ZeroStream(), CancellationToken.None)).Piece;
        var cache = Path.Combine(_dir, "cache");
        var sealedPath = Path.Combine(_dir, "sealed");
        var request = new PreCommit1Request(info, unsealed, sealedPath, cache, 1000, 1, ticket, [piece]);
        return (await PreCommit1.RunAsync(request, Parents, LabelKernel.Auto, null, cancellationToken: CancellationToken.None), cache, sealedPath);
    }

    private static string Sha(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    [Theory]
    [InlineData(RegisteredSealProof.StackedDrg2KiBV1_1, "15a4a233f44c593466911846dfa69b7bdd7d241cdefe743452bfd77c78eee385", "187696ab8c544edce720fb7e79f948abda4747a8cb4629ac11be0bcfcd2d3cf0")]
    [InlineData(RegisteredSealProof.StackedDrg2KiBV1, "6a24d07efaf9e03dd7514022562a43ac7709544d4f4444b933b7dd156b994e18", "9f91f3f65de37e65b6652f935a816e800d6a9a9d4a0c7530396c1670bd98f43c")]
    [InlineData(RegisteredSealProof.StackedDrg8MiBV1_1, "7c8f81d4aca9695372220103a96b81705e5f3bc43e7790cc584508cbea1e54a4", "d9b98d32f3828161ac062e32ed9f4e07662e97f8d4707e3343f6553c1d02ddcb")]
    public async Task Zero_sector_layers_tree_d_and_output_match_the_vectors(RegisteredSealProof proof, string layer1, string layer2)
    {
        var info = SealProofInfo.Get(proof);
        var (output, cache, sealedPath) = await RunZeroSectorAsync(proof, OnesTicket);

        Assert.Equal(layer1, Sha(CacheFiles.Layer(cache, 1)));
        Assert.Equal(layer2, Sha(CacheFiles.Layer(cache, 2)));
        Assert.Equal(ZeroComm.ForPaddedSize(info.SectorSize).ToArray(), output.CommD);
        Assert.Equal((long)((2 * info.SectorSize) - 32), new FileInfo(CacheFiles.TreeD(cache)).Length);
        Assert.Equal(output.CommD, File.ReadAllBytes(CacheFiles.TreeD(cache))[^32..]);
        if (info.SectorSize == 2048)
        {
            // tree_d of the zero 2 KiB sector (its root is the example's comm_d).
            Assert.Equal("c052e3d081bdc66ad47aa2072b3cae0bd5a0bdccb0fa517d5e43102fd726d78a", Sha(CacheFiles.TreeD(cache)));
        }

        // PC1 leaves the data in the sealed file (PC2 encodes it): all zeros, sector-sized.
        var sealedBytes = File.ReadAllBytes(sealedPath);
        Assert.Equal((int)info.SectorSize, sealedBytes.Length);
        Assert.DoesNotContain(sealedBytes, b => b != 0);

        var lotus = PreCommit1Output.Parse(output.ToLotusJson());
        Assert.Equal(OnesTicket, lotus.Ticket);
        Assert.Equal(info.Layers, lotus.Labels.Count);
        Assert.All(lotus.Labels, l => Assert.Equal(cache, l.Path));
        Assert.Equal(cache, lotus.TreeD.Path);
    }

    [Fact]
    public async Task Lotus_bench_help_text_example_with_zero_ticket()
    {
        // Lotus cmd/lotus-bench/simple.go: the example steps in simpleCmd's help text seal with a zero ticket (see its PC1 output).
        var (output, cache, _) = await RunZeroSectorAsync(RegisteredSealProof.StackedDrg2KiBV1_1, new byte[32]);
        Assert.Equal("3fea9e96454770b2ba3bdf441d08ef9757293e5a07766723727ecfb109d64647", Sha(CacheFiles.Layer(cache, 1)));
        Assert.Equal("a03d8ab5008d9659f6d45032fb1a6a1c49ad788af2465685b33081f05544de5d", Sha(CacheFiles.Layer(cache, 2)));
        var layer2 = File.ReadAllBytes(CacheFiles.Layer(cache, 2));
        Assert.Equal("2fa2b3031365a278e7b515fe8828e93e55d633a2310a1a7eacadb93be7d5863f", Convert.ToHexStringLower(layer2[^32..]));
        Assert.StartsWith("eyJfbG90dXNfU2VhbFJhbmRvbW5lc3MiOiJBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB", Convert.ToBase64String(output.ToLotusJson()), StringComparison.Ordinal);
        Assert.Contains("\"registered_proof\":\"StackedDrg2KiBV1_1\"", Encoding.UTF8.GetString(output.ToRustJson()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Data_sector_comm_d_is_the_root_of_the_pieces()
    {
        var info = SealProofInfo.Get(RegisteredSealProof.StackedDrg2KiBV1_1);
        var unsealed = Path.Combine(_dir, "unsealed");
        var data = new byte[1016];
        new Random(5).NextBytes(data);
        var first = (await AddPiece.WriteAsync(unsealed, 2048, [], new UnpaddedPieceSize(1016), new MemoryStream(data), CancellationToken.None)).Piece;
        var second = (await AddPiece.WriteAsync(unsealed, 2048, [new UnpaddedPieceSize(1016)], new UnpaddedPieceSize(1016), new MemoryStream(new byte[1016]), CancellationToken.None)).Piece;
        var request = new PreCommit1Request(info, unsealed, Path.Combine(_dir, "sealed"), Path.Combine(_dir, "cache"), 1000, 7, OnesTicket, [first, second]);

        var output = await PreCommit1.RunAsync(request, Parents);

        Assert.Equal(CommD.Compute(2048, [first, second]), output.CommD);
        Assert.NotEqual(ZeroComm.ForPaddedSize(2048).ToArray(), output.CommD);
    }

    [Fact]
    public async Task Pieces_that_do_not_match_the_data_are_rejected()
    {
        var info = SealProofInfo.Get(RegisteredSealProof.StackedDrg2KiBV1_1);
        var unsealed = Path.Combine(_dir, "unsealed");
        var data = new byte[2032];
        new Random(6).NextBytes(data);
        await AddPiece.WriteAsync(unsealed, 2048, [], new UnpaddedPieceSize(2032), new MemoryStream(data), CancellationToken.None);
        var wrong = PieceCommitment.Pad(new PaddedPieceSize(2048));
        var request = new PreCommit1Request(info, unsealed, Path.Combine(_dir, "sealed"), Path.Combine(_dir, "cache"), 1000, 1, OnesTicket, [wrong]);

        var e = await Assert.ThrowsAsync<ProofsException>(() => PreCommit1.RunAsync(request, Parents));
        Assert.Contains("pieces and comm_d do not match", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(CacheFiles.Layer(request.CacheDir, 1)));
    }

    [Fact]
    public async Task Pieces_that_do_not_fill_the_sector_are_rejected_before_any_work()
    {
        var info = SealProofInfo.Get(RegisteredSealProof.StackedDrg2KiBV1_1);
        var request = new PreCommit1Request(info, Path.Combine(_dir, "missing"), Path.Combine(_dir, "sealed"), Path.Combine(_dir, "cache"), 1000, 1, OnesTicket, [PieceCommitment.Pad(new PaddedPieceSize(1024))]);
        var e = await Assert.ThrowsAsync<ProofsException>(() => PreCommit1.RunAsync(request, Parents));
        Assert.Equal("aggregated piece sizes don't match sector size: 1016 != 2032 (1016)", e.Message);
        var bad = request with { Ticket = new byte[31] };
        await Assert.ThrowsAsync<ProofsException>(() => PreCommit1.RunAsync(bad, Parents));
    }

    /// <summary>An endless stream of zeros, like /dev/zero.</summary>
    private sealed class ZeroStream : ForwardReadStream
    {
        public override long Position => 0;

        public override int Read(Span<byte> buffer)
        {
            buffer.Clear();
            return buffer.Length;
        }
    }
}
