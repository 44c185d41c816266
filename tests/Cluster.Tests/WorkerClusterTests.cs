using System.Text;
using Kiln.Api;
using Kiln.Api.JsonRpc;
using Kiln.Api.Types;
using Kiln.Miner.Calls;
using Kiln.Proofs;
using Kiln.Proofs.Seal;
using Kiln.Worker.Calls;

namespace Kiln.Cluster.Tests;

/// <summary>kiln-miner and kiln-worker on loopback, the miner driving the worker the way lotus-miner drives lotus-worker.</summary>
public sealed class WorkerClusterTests : IAsyncLifetime
{
    private const string CcPieceCid = "baga6ea4seaqpy7usqklokfx2vxuynmupslkeutzexe2uqurdg5vhtebhxqmpqmy";
    private static readonly SectorRef Sector = new(new SectorId(1000, 1), RegisteredSealProof.StackedDrg2KiBV1_1);
    private static readonly CancellationToken None = CancellationToken.None;

    private readonly ClusterFixture _cluster = new();

    public async Task InitializeAsync() => await _cluster.StartMinerAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private IMinerStorageApi MinerClient() =>
        RpcClient.Create(_cluster.Miner.RpcUrl, new RpcClientOptions { Token = _cluster.Miner.Repo.ReadToken() }).CreateProxy<IMinerStorageApi>();

    private static async Task<CallResult> WaitAsync(CallRegistry calls, CallId id) =>
        await calls.WaitAsync(id, None).WaitAsync(TimeSpan.FromSeconds(60));

    [Fact]
    public async Task A_worker_the_miner_removed_for_missed_heartbeats_registers_again_once_it_answers()
    {
        // A busy worker that misses the miner's heartbeats past LostAfter is removed; once the miner's Session calls
        // stop reaching it for three of its own poll intervals, kiln-worker calls WorkerConnect again (Lotus's
        // runWorker treats a known worker as a no-op, so a healthy worker re-registering costs nothing).
        await _cluster.StopMinerAsync();
        _cluster.RegistryOptions = new Kiln.Miner.Workers.WorkerRegistryOptions
        {
            HeartbeatInterval = TimeSpan.FromMilliseconds(100),
            SessionTimeout = TimeSpan.FromMilliseconds(500),
            LostAfter = TimeSpan.FromMilliseconds(500),
        };
        await _cluster.StartMinerAsync();
        await _cluster.StartWorkerAsync();
        await ClusterFixture.WorkersAsync(_cluster.Miner.Workers, ws => ws.Count == 1, "the worker to register");

        await _cluster.Worker!.Api.SetEnabledAsync(false, None); // Session now fails, as a starved worker's would
        await ClusterFixture.WorkersAsync(_cluster.Miner.Workers, ws => ws.Count == 0, "the miner to remove the worker");
        await _cluster.Worker.Api.SetEnabledAsync(true, None);

        await ClusterFixture.WorkersAsync(_cluster.Miner.Workers, ws => ws.Count == 1, "the worker to register again");
        Assert.Equal(_cluster.Worker.Api.ProcessSession, Assert.Single(_cluster.Miner.Workers.Workers).Id);
    }

    [Fact]
    public async Task ComputeDataCid_on_the_miner_is_computed_on_a_worker_from_the_pushed_data()
    {
        // Lotus node/impl/storminer.go ComputeDataCid → Manager.DataCid: a DC task on a worker, the reader passed on.
        await _cluster.StartWorkerAsync();
        var data = Enumerable.Range(0, 8128).Select(i => (byte)(i * 17 + 3)).ToArray();

        var piece = await MinerClient().ComputeDataCidAsync((ulong)data.Length, new MemoryStream(data), None);

        Assert.Equal(8192UL, piece.Size);
        Assert.Equal(Kiln.Proofs.Multiformats.CommCid.ToPieceCid(Kiln.Proofs.Pieces.CommP.Compute(data)), piece.PieceCID.ToString());
        var job = Assert.Single(await _cluster.Miner.Jobs.ListAsync(100, None), j => j.Task == TaskType.DataCid);
        Assert.Equal(ClusterFixture.WorkerName, job.HostName);
    }

    [Fact]
    public async Task Worker_registers_and_seals_a_cc_sector_through_addpiece_and_precommit1()
    {
        await _cluster.StartWorkerAsync();
        var stats = await MinerClient().WorkerStatsAsync(None);
        var (id, entry) = Assert.Single(stats);
        Assert.Equal(_cluster.Worker!.Api.ProcessSession, id);
        Assert.Equal(ClusterFixture.WorkerName, entry.Info.Hostname);
        Assert.Equal(["DC", "AP", "PC1", "PC2", "C2", "C1", "UNS", "GET", "FIN", "FUS"], entry.Tasks!.OrderByDescending(TaskTypes.Order).Select(TaskTypes.ShortName));

        // The miner's own proxy to the worker, as lotus-miner holds it after WorkerConnect.
        var worker = Assert.Single(_cluster.Miner.Workers.Workers).Api;
        var calls = _cluster.Miner.Api.Calls;

        var ap = await worker.AddPieceAsync(Sector, [], 2032, new NullReaderStream(2032), None);
        Assert.Equal(Sector.ID, ap.Sector);
        var apResult = await WaitAsync(calls, ap);
        Assert.Null(apResult.Error);
        var piece = Assert.IsType<PieceInfo>(apResult.Value);
        Assert.Equal(2048UL, piece.Size);
        Assert.Equal(CcPieceCid, piece.PieceCID.ToString());

        var ticket = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        var pc1 = await worker.SealPreCommit1Async(Sector, ticket, [piece], None);
        var pc1Result = await WaitAsync(calls, pc1);
        Assert.Null(pc1Result.Error);
        var output = PreCommit1Output.Parse(Assert.IsType<byte[]>(pc1Result.Value));
        var miner = MinerClient();
        var cache = Assert.Single(await miner.StorageFindSectorAsync(Sector.ID, SectorFileType.Cache, 2048, false, None));
        var cacheDir = Path.Combine(_cluster.WorkerRepoPath, "cache", "s-t01000-1");
        Assert.Contains(cacheDir, Encoding.UTF8.GetString(Assert.IsType<byte[]>(pc1Result.Value)), StringComparison.Ordinal);
        Assert.Equal(2, output.Labels.Count);
        Assert.NotEmpty(await miner.StorageFindSectorAsync(Sector.ID, SectorFileType.Sealed, 2048, false, None));
        Assert.NotEmpty(await miner.StorageFindSectorAsync(Sector.ID, SectorFileType.Unsealed, 2048, false, None));
        Assert.Contains(cache.ID, _cluster.Worker.Store.Local().Keys);

        // Fetch of local files succeeds; FinalizeSector clears a PC1-only cache to an empty directory.
        var get = await worker.FetchAsync(Sector, SectorFileType.Sealed | SectorFileType.Cache, PathType.Sealing, AcquireMode.Move, None);
        Assert.Null((await WaitAsync(calls, get)).Error);
        var fin = await worker.FinalizeSectorAsync(Sector, None);
        Assert.Null((await WaitAsync(calls, fin)).Error);
        Assert.Empty(Directory.EnumerateFileSystemEntries(cacheDir));

        // What kiln-worker cannot do yet is refused by name.
        var snap = await Assert.ThrowsAsync<RpcException>(() => worker.ReplicaUpdateAsync(Sector, [], None));
        Assert.Contains("seal/v0/replicaupdate", snap.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_call_is_returned_as_a_call_error_with_the_worker_name()
    {
        await _cluster.StartWorkerAsync();
        var worker = Assert.Single(_cluster.Miner.Workers.Workers).Api;
        var fin = await worker.FinalizeSectorAsync(new SectorRef(new SectorId(1000, 77), RegisteredSealProof.StackedDrg2KiBV1_1), None);
        var result = await WaitAsync(_cluster.Miner.Api.Calls, fin);
        Assert.Equal(CallError.ErrUnknown, result.Error!.Code);
        Assert.EndsWith($"[name: {ClusterFixture.WorkerName}]", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_result_produced_while_the_miner_is_down_is_delivered_when_it_returns()
    {
        await _cluster.StartWorkerAsync();
        var data = new GatedZeroStream(2032);
        // Called in process so the gate sits right where AddPiece reads its data (after the sector's space is acquired).
        var ap = await _cluster.Worker!.Api.AddPieceAsync(Sector, [], 2032, data, None);

        // The piece data arrives only after the miner went away: the result is ready while nobody can take it.
        await data.Started.WaitAsync(TimeSpan.FromSeconds(20));
        await _cluster.StopMinerAsync();
        // Two failed deliveries: the result was sent, refused by the absent miner, kept, and sent again.
        var failedTwice = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Failed(CallId call, int attempt)
        {
            if (call == ap && attempt >= 2)
            {
                failedTwice.TrySetResult();
            }
        }

        var returns = _cluster.Worker.Calls.Returns;
        returns.DeliveryFailed += Failed;
        try
        {
            data.Open();
            await failedTwice.Task.WaitAsync(TimeSpan.FromSeconds(20));
        }
        finally
        {
            returns.DeliveryFailed -= Failed;
        }

        var kept = Assert.Single(await TrackedAsync());
        Assert.Equal(ap, kept.Id);
        Assert.True(kept.Done, "the tracked call holds its finished result");

        await _cluster.StartMinerAsync();
        var result = await WaitAsync(_cluster.Miner.Api.Calls, ap);
        Assert.Null(result.Error);
        Assert.Equal(CcPieceCid, Assert.IsType<PieceInfo>(result.Value).PieceCID.ToString());
        var tracker = _cluster.Worker.Calls.Tracker;
        await ClusterFixture.CallsAsync(tracker, async () => (await tracker.ListAsync(None)).Count == 0, "the acknowledged call to leave the tracker");

        // The declaration that failed while the miner was away comes with the redeclaration after it returned: the
        // worker redeclares its files before it registers again, so once it is registered the file is declared.
        await ClusterFixture.WorkersAsync(_cluster.Miner.Workers, ws => ws.Count == 1, "the worker to register with the returned miner");
        Assert.Single(await MinerClient().StorageFindSectorAsync(Sector.ID, SectorFileType.Unsealed, 2048, false, None));
    }

    [Fact]
    public async Task The_worker_registers_again_after_a_miner_restart()
    {
        await _cluster.StartWorkerAsync();
        var session = _cluster.Worker!.Api.ProcessSession;
        await _cluster.StopMinerAsync();
        await _cluster.StartMinerAsync();
        Assert.Empty(_cluster.Miner.Workers.Workers);

        await ClusterFixture.WorkersAsync(_cluster.Miner.Workers, _ => _cluster.Miner.Workers.Find(session) is not null, "the worker to register again");
        var path = Assert.Single(_cluster.Worker.Store.Local().Keys);
        Assert.Equal(path, (await MinerClient().StorageInfoAsync(path, None)).ID);
    }

    [Fact]
    public async Task Calls_a_worker_restart_interrupted_are_answered_with_101_and_unacknowledged_results_are_sent_again()
    {
        await _cluster.StartWorkerAsync();
        await _cluster.StopWorkerAsync();

        // What a crash leaves behind: one call that never finished, one finished result the miner never took.
        var interrupted = new CallId(Sector.ID, Guid.NewGuid());
        var finished = new CallId(Sector.ID, Guid.NewGuid());
        await using (var tracker = await CallTracker.OpenAsync(Path.Combine(_cluster.WorkerRepoPath, "calls.sqlite"), None))
        {
            await tracker.StartedAsync(interrupted, ReturnType.SealPreCommit1, None);
            await tracker.StartedAsync(finished, ReturnType.AddPiece, None);
            await tracker.DoneAsync(finished, "{\"Size\":2048,\"PieceCID\":{\"/\":\"" + CcPieceCid + "\"}}", null, None);
        }

        await _cluster.StartWorkerAsync();
        var restarted = await WaitAsync(_cluster.Miner.Api.Calls, interrupted);
        Assert.Equal(new CallError(CallError.ErrTempWorkerRestart, $"worker [name: {ClusterFixture.WorkerName}] restarted"), restarted.Error);
        var delivered = await WaitAsync(_cluster.Miner.Api.Calls, finished);
        Assert.Equal(CcPieceCid, Assert.IsType<PieceInfo>(delivered.Value).PieceCID.ToString());
        var calls = _cluster.Worker!.Calls.Tracker;
        await ClusterFixture.CallsAsync(calls, async () => (await calls.ListAsync(None)).Count == 0, "both calls to leave the tracker");
    }

    private async Task<IReadOnlyList<TrackedCall>> TrackedAsync()
    {
        await using var tracker = await CallTracker.OpenAsync(Path.Combine(_cluster.WorkerRepoPath, "calls.sqlite"), None);
        return await tracker.ListAsync(None);
    }
}
