using System.Diagnostics;
using Kiln.Api;
using Kiln.Api.JsonRpc;
using Kiln.Api.Types;
using Kiln.Proofs;
using Kiln.Testing;
using Kiln.Worker.Sealing;

namespace Kiln.Cluster.Tests;

/// <summary>
/// A kiln-worker process started as a lotus-worker unit file starts lotus-worker (LOTUS_WORKER_PATH, MINER_API_INFO,
/// <c>run --listen … --name …</c>, long-term storage added with <c>storage attach --init --store</c>), driven through
/// every step lotus-miner v1.36 sends for a sector by <see cref="LotusManager"/>, with the files and index declarations
/// checked after each step as Lotus leaves them.
/// </summary>
public sealed class LotusLifecycleProcessTests : IAsyncLifetime
{
    private const string WorkerName = "lotus-shaped";
    private static readonly SectorRef Cc = new(new SectorId(1000, 1), RegisteredSealProof.StackedDrg2KiBV1_1);
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly ClusterFixture _cluster = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-lotus-").FullName;
    private Process? _worker;
    private IMinerStorageApi _miner = null!;
    private LotusManager _manager = null!;

    private string WorkerRepo => Path.Combine(_dir, "worker");

    private string LongTerm => Path.Combine(_dir, "longterm");

    public async Task InitializeAsync()
    {
        await _cluster.StartMinerAsync();
        _miner = RpcClient.Create(_cluster.Miner.RpcUrl, new RpcClientOptions { Token = _cluster.Miner.Repo.ReadToken() }).CreateProxy<IMinerStorageApi>();
    }

    public async Task DisposeAsync()
    {
        if (_worker is not null)
        {
            await KilnProcesses.StopAllAsync([_worker]);
        }

        await _cluster.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private Dictionary<string, string> WorkerEnvironment() => new()
    {
        ["LOTUS_WORKER_PATH"] = WorkerRepo,
        ["MINER_API_INFO"] = $"{_cluster.Miner.Repo.ReadToken()}:/ip4/127.0.0.1/tcp/{_cluster.Miner.RpcUrl.Port}/http",
        ["FIL_PROOFS_PARENT_CACHE"] = Path.Combine(_dir, "parents"),
        ["KILN_INSECURE_TEST_PROOFS"] = "true",
    };

    /// <summary>Starts kiln-worker as a lotus-worker unit file would, waits for it to register, and attaches a long-term path.</summary>
    private async Task StartWorkerAsync(params string[] extraFlags)
    {
        _worker = KilnProcesses.Start(
            "kiln-worker",
            ["run", "--listen", $"127.0.0.1:{KilnProcesses.FreePort()}", "--name", WorkerName, .. extraFlags],
            WorkerEnvironment());
        await ClusterFixture.WorkersAsync(_cluster.Miner.Workers, ws => ws.Any(w => w.Info.Hostname == WorkerName), "the kiln-worker process to register with the miner");
        var handle = _cluster.Miner.Workers.Workers.Single(w => w.Info.Hostname == WorkerName);
        _manager = new LotusManager(_cluster.Miner, handle.Api, _miner, LotusManager.ManagerStorage(_miner, _cluster.Miner.Repo.ReadToken()));

        // lotus-worker storage attach --init --store LONGTERM, against the running worker through its repo's api file.
        using var attach = KilnProcesses.Start("kiln-worker", ["storage", "attach", "--init", "--store", LongTerm], WorkerEnvironment());
        await attach.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, attach.ExitCode);
    }

    private async Task<(string Seal, string Store)> WorkerPathsAsync()
    {
        var paths = await _manager.Worker.PathsAsync(None);
        var seal = Assert.Single(paths, p => p.CanSeal && !p.CanStore);
        var store = Assert.Single(paths, p => p.CanStore);
        Assert.Equal(Path.GetFullPath(WorkerRepo), Path.GetFullPath(seal.LocalPath));
        Assert.Equal(Path.GetFullPath(LongTerm), Path.GetFullPath(store.LocalPath));
        return (seal.ID.Value, store.ID.Value);
    }

    private static string SectorFile(string root, string type, SectorId sector) => Path.Combine(root, type, sector.ToSectorName());

    [Fact]
    public async Task A_cc_sector_goes_through_ap_pc1_pc2_c1_c2_fus_fin_and_movestorage_onto_long_term_storage()
    {
        await StartWorkerAsync();
        var (seal, store) = await WorkerPathsAsync();
        var id = Cc.ID;

        // AP of a null reader (Lotus's CC filler: {"Type":"null"}).
        var piece = await _manager.AddPieceAsync(Cc, [], 2032, new NullReaderStream(2032));
        Assert.Equal(2048UL, piece.Size);
        Assert.Equal("baga6ea4seaqpy7usqklokfx2vxuynmupslkeutzexe2uqurdg5vhtebhxqmpqmy", piece.PieceCID.ToString());
        Assert.True(File.Exists(SectorFile(WorkerRepo, "unsealed", id)));
        Assert.Equal([(seal, true)], await _manager.DeclarationsAsync(id, SectorFileType.Unsealed));

        // PC1 → PC2 → C1 → C2.
        var ticket = Enumerable.Range(0, 32).Select(i => (byte)(i * 3)).ToArray();
        var pc1 = await _manager.SealPreCommit1Async(Cc, ticket, [piece]);
        Assert.True(File.Exists(SectorFile(WorkerRepo, "sealed", id)));
        Assert.Equal([(seal, true)], await _manager.DeclarationsAsync(id, SectorFileType.Sealed));
        Assert.Equal([(seal, true)], await _manager.DeclarationsAsync(id, SectorFileType.Cache));
        var cids = await _manager.SealPreCommit2Async(Cc, pc1);
        Assert.Equal(piece.PieceCID, cids.Unsealed);
        var cacheDir = SectorFile(WorkerRepo, "cache", id);
        Assert.Contains("p_aux", Directory.GetFiles(cacheDir).Select(Path.GetFileName));
        var seed = Enumerable.Range(0, 32).Select(i => (byte)(255 - i)).ToArray();
        var c1 = await _manager.SealCommit1Async(Cc, ticket, seed, [piece], cids);
        var proof = await _manager.SealCommit2Async(Cc, c1);
        Assert.NotEmpty(proof);

        // FUS with Lotus's keep list for a sector without deals (types.go keepUnsealedRanges: none): the unsealed copy goes.
        await _manager.ReleaseUnsealedAsync(Cc, []);
        Assert.False(File.Exists(SectorFile(WorkerRepo, "unsealed", id)));
        Assert.Empty(await _manager.DeclarationsAsync(id, SectorFileType.Unsealed));

        // FIN and the move to long-term storage.
        var sealedBytes = await File.ReadAllBytesAsync(SectorFile(WorkerRepo, "sealed", id));
        await _manager.FinalizeSectorAsync(Cc);
        Assert.False(File.Exists(SectorFile(WorkerRepo, "sealed", id)));
        Assert.False(Directory.Exists(SectorFile(WorkerRepo, "cache", id)));
        Assert.Equal(sealedBytes, await File.ReadAllBytesAsync(SectorFile(LongTerm, "sealed", id)));
        var finalized = Directory.GetFiles(SectorFile(LongTerm, "cache", id)).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["p_aux", "sc-02-data-tree-r-last.dat", "t_aux"], finalized);
        Assert.All(finalized, f => Assert.True(ClearCache.Keeps(f!)));
        Assert.Equal([(store, true)], await _manager.DeclarationsAsync(id, SectorFileType.Sealed));
        Assert.Equal([(store, true)], await _manager.DeclarationsAsync(id, SectorFileType.Cache));
        Assert.Empty(await _manager.DeclarationsAsync(id, SectorFileType.Unsealed));

        // The sector is provable from where it now lives: the replica's comm_r is the one PC2 returned.
        var pAux = await File.ReadAllBytesAsync(Path.Combine(SectorFile(LongTerm, "cache", id), "p_aux"));
        Assert.Equal(64, pAux.Length);
    }

    /// <summary>1016 unpadded bytes of a pattern that is not all zeros (a 1 KiB padded piece).</summary>
    private static byte[] PieceData(int seed) => [.. Enumerable.Range(0, 1016).Select(i => (byte)((i * 31) + seed))];

    private static string Sha(byte[] data) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(data));

    /// <summary>GET /remote/unsealed/NAME/SPT/allocated/OFFSET/SIZE (Lotus storage/paths/http_handler.go remoteGetAllocated), unpadded units.</summary>
    private async Task<int> AllocatedAsync(SectorRef sector, ulong offset, ulong size)
    {
        var holders = await _miner.StorageFindSectorAsync(sector.ID, SectorFileType.Unsealed, 0, false, None);
        var url = Assert.Single(Assert.Single(holders).URLs!);
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{url}/{(long)sector.ProofType}/allocated/{offset}/{size}");
        request.Headers.Authorization = new("Bearer", _cluster.Miner.Repo.ReadToken());
        using var response = await http.SendAsync(request);
        return (int)response.StatusCode;
    }

    [Fact]
    public async Task A_deal_sector_with_two_pushed_pieces_keeps_the_first_unsealed_and_unseals_the_second_bit_exact()
    {
        await StartWorkerAsync();
        var deal = new SectorRef(new SectorId(1000, 5), RegisteredSealProof.StackedDrg2KiBV1_1);
        var (data1, data2) = (PieceData(1), PieceData(7));

        // Two pieces pushed over the reader-stream endpoint (Lotus lib/rpcenc/reader.go: {"Type":"push"}), the second
        // after the first (existing piece sizes), each piece's commP the one computed from its bytes alone.
        var p1 = await _manager.AddPieceAsync(deal, [], 1016, new MemoryStream(data1));
        var p2 = await _manager.AddPieceAsync(deal, [1016], 1016, new MemoryStream(data2));
        Assert.Equal(1024UL, p1.Size);
        Assert.Equal(1024UL, p2.Size);
        Assert.Equal(Kiln.Proofs.Multiformats.CommCid.ToPieceCid(Kiln.Proofs.Pieces.CommP.Compute(data1)), p1.PieceCID.ToString());
        Assert.Equal(Kiln.Proofs.Multiformats.CommCid.ToPieceCid(Kiln.Proofs.Pieces.CommP.Compute(data2)), p2.PieceCID.ToString());

        var ticket = Enumerable.Range(0, 32).Select(i => (byte)(i + 9)).ToArray();
        var pc1 = await _manager.SealPreCommit1Async(deal, ticket, [p1, p2]);
        var cids = await _manager.SealPreCommit2Async(deal, pc1);

        // FUS keeping the first piece: its range stays allocated (200), the second's is freed (416).
        await _manager.ReleaseUnsealedAsync(deal, [new UnpaddedRange(0, 1016)]);
        Assert.Equal(200, await AllocatedAsync(deal, 0, 1016));
        Assert.Equal(416, await AllocatedAsync(deal, 1016, 1016));

        // FIN moves sealed, cache and (still in the sealing path) unsealed to long-term storage.
        await _manager.FinalizeSectorAsync(deal);
        Assert.True(File.Exists(SectorFile(LongTerm, "unsealed", deal.ID)));

        // UNS of the whole sector (Lotus Manager.SectorsUnsealPiece): only the freed range is decoded from the replica.
        await _manager.UnsealPieceAsync(deal, ticket, cids.Unsealed);
        Assert.Equal(200, await AllocatedAsync(deal, 1016, 1016));
        var padded = await File.ReadAllBytesAsync(SectorFile(LongTerm, "unsealed", deal.ID));
        var second = new byte[1016];
        Kiln.Proofs.Fr32.Fr32Padding.Unpad(padded.AsSpan(1024, 1024), second);
        Assert.Equal(Sha(data2), Sha(second));
        var first = new byte[1016];
        Kiln.Proofs.Fr32.Fr32Padding.Unpad(padded.AsSpan(0, 1024), first);
        Assert.Equal(Sha(data1), Sha(first));
    }

    [Fact]
    public async Task DataCid_of_a_pushed_piece_larger_than_64_MiB_matches_its_commP_and_writes_no_sector()
    {
        await StartWorkerAsync();
        const long unpadded = 127L << 20; // 127 MiB unpadded = a 128 MiB piece
        string expected;
        await using (var stream = new GeneratedStream(unpadded, seed: 127))
        {
            expected = Kiln.Proofs.Multiformats.CommCid.ToPieceCid(
                await Kiln.Proofs.Pieces.CommP.ComputeAsync(stream, new Kiln.Proofs.Pieces.UnpaddedPieceSize((ulong)unpadded), None));
        }

        var piece = await _manager.DataCidAsync((ulong)unpadded, new GeneratedStream(unpadded, seed: 127));

        Assert.Equal(128UL << 20, piece.Size);
        Assert.Equal(expected, piece.PieceCID.ToString());
        Assert.Empty(Directory.GetFiles(Path.Combine(WorkerRepo, "unsealed")));
    }

    [Fact]
    public async Task MoveStorage_without_a_long_term_path_is_call_error_102_and_the_sector_stays()
    {
        _worker = KilnProcesses.Start(
            "kiln-worker", ["run", "--listen", $"127.0.0.1:{KilnProcesses.FreePort()}", "--name", WorkerName], WorkerEnvironment());
        await ClusterFixture.WorkersAsync(_cluster.Miner.Workers, ws => ws.Any(w => w.Info.Hostname == WorkerName), "the kiln-worker process to register");
        var worker = _cluster.Miner.Workers.Workers.Single(w => w.Info.Hostname == WorkerName).Api;
        var manager = new LotusManager(_cluster.Miner, worker, _miner, LotusManager.ManagerStorage(_miner, _cluster.Miner.Repo.ReadToken()));
        await manager.AddPieceAsync(Cc, [], 2032, new NullReaderStream(2032));

        var e = await Assert.ThrowsAsync<CallFailedException>(() => manager.WaitAsync(worker.MoveStorageAsync(Cc, SectorFileType.Unsealed, None)));

        Assert.Equal(CallError.ErrTempAllocateSpace, e.Error.Code);
        Assert.Contains("s-t01000-1", e.Error.Message, StringComparison.Ordinal);
        Assert.Contains($"[name: {WorkerName}]", e.Error.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(SectorFile(WorkerRepo, "unsealed", Cc.ID)));
        Assert.Single(await manager.DeclarationsAsync(Cc.ID, SectorFileType.Unsealed));
    }

    [Fact]
    public async Task A_keep_range_outside_the_sector_fails_fus_clearly_and_frees_nothing()
    {
        await StartWorkerAsync();
        await _manager.AddPieceAsync(Cc, [], 2032, new NullReaderStream(2032));
        var before = await File.ReadAllBytesAsync(SectorFile(WorkerRepo, "unsealed", Cc.ID));

        var e = await Assert.ThrowsAsync<CallFailedException>(() => _manager.ReleaseUnsealedAsync(Cc, [new UnpaddedRange(1016, 2032)]));

        Assert.Contains("outside", e.Error.Message, StringComparison.Ordinal);
        Assert.Contains("s-t01000-1", e.Error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(SectorFile(WorkerRepo, "unsealed", Cc.ID)));
    }

    [Fact]
    public async Task DownloadSectorData_fetches_a_finalized_sector_from_another_hosts_remote_with_its_headers_and_declares_it()
    {
        await StartWorkerAsync("--sector-download");
        var (_, store) = await WorkerPathsAsync();

        // The other host: the miner, with a storage path holding a finalized sector 2 (sealed file and cache).
        var other = await KilnProcesses.StoragePathAsync(Path.Combine(_dir, "miner-store"));
        var sector = new SectorRef(new SectorId(1000, 2), Cc.ProofType);
        var sealedBytes = Enumerable.Range(0, 2048).Select(i => (byte)(i % 251)).ToArray();
        Directory.CreateDirectory(Path.Combine(other, "sealed"));
        await File.WriteAllBytesAsync(SectorFile(other, "sealed", sector.ID), sealedBytes);
        var cache = Directory.CreateDirectory(SectorFile(other, "cache", sector.ID)).FullName;
        await File.WriteAllBytesAsync(Path.Combine(cache, "p_aux"), new byte[64]);
        await File.WriteAllBytesAsync(Path.Combine(cache, "t_aux"), new byte[100]);
        await File.WriteAllBytesAsync(Path.Combine(cache, "sc-02-data-tree-r-last.dat"), new byte[4096]);
        await _miner.StorageAddLocalAsync(other, None);
        var remote = $"http://127.0.0.1:{_cluster.Miner.RpcUrl.Port}/remote";
        IReadOnlyList<SecDataHttpHeader> auth = [new("Authorization", "Bearer " + _cluster.Miner.Repo.ReadToken())];

        await _manager.DownloadSectorDataAsync(sector, finalized: true, new Dictionary<SectorFileType, SectorLocation>
        {
            [SectorFileType.Sealed] = new(false, $"{remote}/sealed/{sector.ID.ToSectorName()}", auth),
            [SectorFileType.Cache] = new(false, $"{remote}/cache/{sector.ID.ToSectorName()}", auth),
        });

        Assert.Equal(sealedBytes, await File.ReadAllBytesAsync(SectorFile(LongTerm, "sealed", sector.ID)));
        Assert.Equal(["p_aux", "sc-02-data-tree-r-last.dat", "t_aux"], Directory.GetFiles(SectorFile(LongTerm, "cache", sector.ID)).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Contains((store, true), await _manager.DeclarationsAsync(sector.ID, SectorFileType.Sealed));
        Assert.Contains((store, true), await _manager.DeclarationsAsync(sector.ID, SectorFileType.Cache));

        // The same download without the token (the remote answers 401) and from an unreachable URL: clear errors,
        // nothing half-written or declared for sector 3.
        var s3 = new SectorRef(new SectorId(1000, 3), Cc.ProofType);
        var unauthorized = await Assert.ThrowsAsync<CallFailedException>(() => _manager.DownloadSectorDataAsync(s3, true, new Dictionary<SectorFileType, SectorLocation>
        {
            [SectorFileType.Sealed] = new(false, $"{remote}/sealed/{sector.ID.ToSectorName()}", null),
        }));
        Assert.Contains("401", unauthorized.Error.Message, StringComparison.Ordinal);
        var unreachable = await Assert.ThrowsAsync<CallFailedException>(() => _manager.DownloadSectorDataAsync(s3, true, new Dictionary<SectorFileType, SectorLocation>
        {
            [SectorFileType.Sealed] = new(false, $"http://127.0.0.1:{KilnProcesses.FreePort()}/remote/sealed/s-t01000-2", auth),
        }));
        Assert.Contains("s-t01000-3", unreachable.Error.Message, StringComparison.Ordinal);
        Assert.Contains("fetch", unreachable.Error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(SectorFile(LongTerm, "sealed", s3.ID)));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(LongTerm, "sealed", "fetching")));
        Assert.Empty(await _manager.DeclarationsAsync(s3.ID, SectorFileType.Sealed));
    }
}
