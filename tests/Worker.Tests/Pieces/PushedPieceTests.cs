using System.Text;
using Kiln.Api.Types;
using Kiln.Proofs;
using Kiln.Proofs.Fr32;
using Kiln.Proofs.Pieces;
using Kiln.Testing;

namespace Kiln.Worker.Tests.Pieces;

/// <summary>
/// AddPiece and DataCid on kiln-worker with the piece pushed as a reader param (Lotus lib/rpcenc), the call answered
/// at once and the data read in the background (Lotus LocalWorker.AddPiece / DataCid).
/// </summary>
public sealed class PushedPieceTests : IAsyncLifetime
{
    /// <summary>Lotus itests/worker_test.go TestWorkerDataCid: 1016 bytes of 'a'.</summary>
    private const string LotusA1016 = "baga6ea4seaqlhznlutptgfwhffupyer6txswamerq5fc2jlwf2lys2mm5jtiaeq";

    /// <summary>Lotus itests/worker_test.go TestWorkerDataCid: a 16 MiB (padded) piece of 'a'.</summary>
    private const string LotusA16MiB = "baga6ea4seaqmhoxl2ybw5m2wyd3pt3h4zmp7j52yumzu2rar26twns3uocq7yfa";

    /// <summary>Lotus itests/worker_test.go TestWorkerDataCid: a 16 MiB piece given only 10 MiB (padded) of 'a'.</summary>
    private const string LotusA10MiBIn16MiB = "baga6ea4seaqbxib4pdxs5cqdn3fmtj4rcxk6rx6ztiqmrx7fcpo3ymuxbp2rodi";

    private static readonly CancellationToken Ct = CancellationToken.None;
    private WorkerPieceHost _host = null!;

    public async Task InitializeAsync() => _host = await WorkerPieceHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static SectorRef Sector(ulong number) => new(new SectorId(1000, number), RegisteredSealProof.StackedDrg2KiBV1_1);

    private static byte[] Repeat(char c, int n) => Encoding.ASCII.GetBytes(new string(c, n));

    private static string UnpaddedPath(WorkerPieceHost host, ulong number) => Path.Combine(host.Root, "unsealed", new SectorId(1000, number).ToSectorName());

    private async Task<PieceInfo> ResultAsync(CallId call)
    {
        var (result, error) = await _host.Miner.ResultAsync(call);
        Assert.Null(error);
        return Assert.IsType<PieceInfo>(result);
    }

    private async Task<CallError> ErrorAsync(CallId call)
    {
        var (_, error) = await _host.Miner.ResultAsync(call);
        return Assert.IsType<CallError>(error);
    }

    private static string IndependentCommP(Stream data)
    {
        using var calc = new CommPCalculator();
        var buffer = new byte[1 << 20];
        int n;
        while ((n = data.Read(buffer, 0, buffer.Length)) > 0)
        {
            calc.Write(buffer.AsSpan(0, n));
        }

        var (commP, padded) = calc.Digest();
        return new PieceCommitment(padded, new Commitment(commP)).PieceCid;
    }

    [Fact]
    public async Task Add_piece_places_two_pushed_pieces_at_lotus_offsets_in_a_2KiB_sector()
    {
        var a = Repeat('a', 1016);
        var b = new byte[1016];
        new Random(7).NextBytes(b);

        var first = await ResultAsync(await _host.Worker.AddPieceAsync(Sector(1), [], 1016, new MemoryStream(a), Ct));
        Assert.Equal((1024UL, LotusA1016), (first.Size, first.PieceCID.ToString()));
        var second = await ResultAsync(await _host.Worker.AddPieceAsync(Sector(1), [1016], 1016, new MemoryStream(b), Ct));
        Assert.Equal((1024UL, new PieceCommitment(new PaddedPieceSize(1024), new Commitment(CommP.Compute(b))).PieceCid), (second.Size, second.PieceCID.ToString()));

        // Lotus Sealer.AddPiece: the second piece starts at padded offset Σ existing = 1024, Fr32-padded.
        var file = await File.ReadAllBytesAsync(UnpaddedPath(_host, 1));
        var unpadded = new byte[1016];
        Fr32Padding.Unpad(file.AsSpan(0, 1024), unpadded);
        Assert.Equal(a, unpadded);
        Fr32Padding.Unpad(file.AsSpan(1024, 1024), unpadded);
        Assert.Equal(b, unpadded);
        using var handle = File.OpenHandle(UnpaddedPath(_host, 1));
        Assert.Equal(2048UL, PartialFile.ReadAllocated(handle, 2048).Aggregate(0UL, (t, r) => t + r.Size));
        var declared = await _host.Index.StorageFindSectorAsync(new SectorId(1000, 1), SectorFileType.Unsealed, 2048, false, Ct);
        Assert.Single(declared);
    }

    [Fact]
    public async Task Data_cid_matches_lotus_known_answers_including_short_data()
    {
        var size = (ulong)(16 << 20) / 128 * 127;
        var full = await ResultAsync(await _host.Worker.DataCidAsync(1016, new MemoryStream(Repeat('a', 1016)), Ct));
        Assert.Equal((1024UL, LotusA1016), (full.Size, full.PieceCID.ToString()));

        var big = await ResultAsync(await _host.Worker.DataCidAsync(size, new MemoryStream(Repeat('a', (int)size)), Ct));
        Assert.Equal((16UL << 20, LotusA16MiB), (big.Size, big.PieceCID.ToString()));

        // Lotus pads data shorter than the piece with zeros.
        var shortData = await ResultAsync(await _host.Worker.DataCidAsync(size, new MemoryStream(Repeat('a', (10 << 20) / 128 * 127)), Ct));
        Assert.Equal((16UL << 20, LotusA10MiBIn16MiB), (shortData.Size, shortData.PieceCID.ToString()));

        // No sector: the call id is Lotus's NoSectorRef one, and nothing was written.
        var call = await _host.Worker.DataCidAsync(1016, new MemoryStream(Repeat('a', 1016)), Ct);
        Assert.Equal(new SectorId(0, 0), call.Sector);
        await ResultAsync(call);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_host.Root, "unsealed")));
    }

    [Fact]
    public async Task Data_cid_of_a_pushed_piece_larger_than_64_MiB_equals_its_commp()
    {
        const ulong size = 127UL << 20; // a 128 MiB padded piece
        var piece = await ResultAsync(await _host.Worker.DataCidAsync(size, new GeneratedStream((long)size, seed: 11), Ct));
        Assert.Equal(128UL << 20, piece.Size);
        Assert.Equal(IndependentCommP(new GeneratedStream((long)size, seed: 11)), piece.PieceCID.ToString());
    }

    [Fact]
    public async Task Data_cid_of_a_cut_push_fails_with_a_clear_call_error()
    {
        var error = await ErrorAsync(await _host.Worker.DataCidAsync(127UL << 15, new GeneratedStream(127L << 15, seed: 3, failAfter: 1 << 20), Ct));
        Assert.Equal(CallError.ErrUnknown, error.Code);
        Assert.Contains("DataCid of a 4161536-byte piece: reading the piece data failed", error.Message, StringComparison.Ordinal);
        Assert.Contains("the pushed data was cut after", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cut_first_piece_leaves_no_unsealed_file_and_a_cut_second_piece_leaves_the_first_intact()
    {
        // 8 MiB sectors: two 4 MiB pieces, each push cut after 1 MiB has gone over the wire.
        const int piece = 127 << 15;
        static SectorRef Sector8(ulong number) => new(new SectorId(1000, number), RegisteredSealProof.StackedDrg8MiBV1_1);
        var error = await ErrorAsync(await _host.Worker.AddPieceAsync(Sector8(2), [], piece, new GeneratedStream(piece, seed: 5, failAfter: 1 << 20), Ct));
        Assert.Contains("AddPiece of sector s-t01000-2: reading the piece data failed", error.Message, StringComparison.Ordinal);
        Assert.Contains("the pushed data was cut after", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(UnpaddedPath(_host, 2)));
        Assert.Empty(await _host.Index.StorageFindSectorAsync(new SectorId(1000, 2), SectorFileType.Unsealed, 8 << 20, false, Ct));

        var a = Repeat('a', piece);
        await ResultAsync(await _host.Worker.AddPieceAsync(Sector8(3), [], piece, new MemoryStream(a), Ct));
        var before = await File.ReadAllBytesAsync(UnpaddedPath(_host, 3));
        error = await ErrorAsync(await _host.Worker.AddPieceAsync(Sector8(3), [piece], piece, new GeneratedStream(piece, seed: 5, failAfter: 1 << 20), Ct));
        Assert.Contains("AddPiece of sector s-t01000-3: reading the piece data failed", error.Message, StringComparison.Ordinal);
        var after = await File.ReadAllBytesAsync(UnpaddedPath(_host, 3));
        Assert.Equal(before.AsSpan(0, 4 << 20).ToArray(), after.AsSpan(0, 4 << 20).ToArray());
        using (var handle = File.OpenHandle(UnpaddedPath(_host, 3)))
        {
            Assert.Equal([(0UL, 4UL << 20)], PartialFile.ReadAllocated(handle, 8 << 20));
        }

        // The retry with the whole piece succeeds in place.
        var second = await ResultAsync(await _host.Worker.AddPieceAsync(Sector8(3), [piece], piece, new GeneratedStream(piece, seed: 5), Ct));
        Assert.Equal(IndependentCommP(new GeneratedStream(piece, seed: 5)), second.PieceCID.ToString());
        using (var handle = File.OpenHandle(UnpaddedPath(_host, 3)))
        {
            Assert.Equal(8UL << 20, PartialFile.ReadAllocated(handle, 8 << 20).Aggregate(0UL, (t, r) => t + r.Size));
        }
    }
}
