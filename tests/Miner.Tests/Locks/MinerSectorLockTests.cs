using System.Net;
using Kiln.Api;
using Kiln.Api.JsonRpc;
using Kiln.Api.Types;
using Kiln.Miner.Repo;
using Kiln.Miner.Sealing;
using Kiln.Miner.Workers;
using Kiln.Proofs;
using Kiln.Testing;

namespace Kiln.Miner.Tests.Locks;

/// <summary>
/// Regression ("sector locks are no-ops"): kiln-miner's StorageLock/StorageTryLock/StorageGetLocks did
/// nothing and its sealing manager took no lock, so two tasks could write one sector's files at once. Lotus
/// storage/sealer/manager.go takes <c>m.index.StorageLock</c> (storage/paths/index_locks.go) before scheduling each
/// task and holds it until the task's call returns; PreCommit2 read-locks Sealed and write-locks Cache,
/// FinalizeSector write-locks Sealed, Unsealed and Cache. These tests run with no worker, so each task waits for one
/// while holding its locks.
/// </summary>
public sealed class MinerSectorLockTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    private static readonly SectorRef Sector = new(new SectorId(1000, 7), RegisteredSealProof.StackedDrg2KiBV1_1);
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-locks-").FullName;
    private MinerHost _host = null!;
    private IMinerStorageApi _miner = null!;

    public async Task InitializeAsync()
    {
        _host = await MinerHost.StartAsync(
            MinerRepo.Open(Path.Combine(_dir, "repo")),
            new MinerOptions(),
            new IPEndPoint(IPAddress.Loopback, 0),
            TimeProvider.System,
            CancellationToken.None,
            workerOptions: new WorkerRegistryOptions { LostAfter = TimeSpan.Zero }); // the first failed heartbeat loses a worker
        _miner = RpcClient.Create(_host.RpcUrl, new RpcClientOptions { Token = _host.Repo.ReadToken() }).CreateProxy<IMinerStorageApi>();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Two_tasks_on_one_sector_contend_finalize_waits_for_precommit2_and_each_holds_lotus_lock_types()
    {
        using var pc2Stop = new CancellationTokenSource();
        var pc2 = _host.Sealing.SealPreCommit2Async(Sector, [1, 2, 3], pc2Stop.Token);
        var held = await LocksBecomeAsync(l => l.Count == 1, "PreCommit2's locks");
        Assert.Equal(Sector.ID, held[0].Sector);
        Assert.Equal([0u, 0, 1, 0, 0, 0], held[0].Write); // Cache written
        Assert.Equal([0u, 1, 0, 0, 0, 0], held[0].Read); // Sealed read

        // Finalize wants Sealed, Unsealed and Cache for writing: it waits for PreCommit2 and takes nothing meanwhile.
        using var finalizeStop = new CancellationTokenSource();
        var finalize = _host.Sealing.FinalizeSectorAsync(Sector, finalizeStop.Token);
        Assert.True(await _miner.StorageTryLockAsync(Sector.ID, SectorFileType.None, SectorFileType.Unsealed, CancellationToken.None));
        Assert.False(await _miner.StorageTryLockAsync(Sector.ID, SectorFileType.None, SectorFileType.Cache, CancellationToken.None));
        Assert.False(await _miner.StorageTryLockAsync(Sector.ID, SectorFileType.None, SectorFileType.Sealed, CancellationToken.None));
        Assert.True(await _miner.StorageTryLockAsync(Sector.ID, SectorFileType.Sealed, SectorFileType.None, CancellationToken.None));
        Assert.False(finalize.IsCompleted);

        // PreCommit2 ends (its context is cancelled, as when its worker is lost): its locks go and Finalize takes its own.
        await pc2Stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pc2.WaitAsync(Patience));
        held = await LocksBecomeAsync(l => l.Count == 1 && l[0].Write[0] == 1, "Finalize's locks");
        Assert.Equal([1u, 1, 1, 0, 0, 0], held[0].Write);
        Assert.Equal([0u, 0, 0, 0, 0, 0], held[0].Read);
        Assert.False(await _miner.StorageTryLockAsync(Sector.ID, SectorFileType.Unsealed, SectorFileType.None, CancellationToken.None));

        await finalizeStop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => finalize.WaitAsync(Patience));
        await LocksBecomeAsync(l => l.Count == 0, "no locks");
    }

    [Fact]
    public async Task StorageLock_over_json_rpc_blocks_until_the_task_releases_and_holds_only_for_the_call()
    {
        using var pc2Stop = new CancellationTokenSource();
        var pc2 = _host.Sealing.SealPreCommit2Async(Sector, [4, 5, 6], pc2Stop.Token);
        await LocksBecomeAsync(l => l.Count == 1, "PreCommit2's locks");

        // A write lock on Sealed conflicts with PreCommit2's read lock: the call waits.
        var locking = _miner.StorageLockAsync(Sector.ID, SectorFileType.None, SectorFileType.Sealed | SectorFileType.Cache, CancellationToken.None);
        Assert.Single((await _miner.StorageGetLocksAsync(CancellationToken.None)).Locks!);
        Assert.False(locking.IsCompleted);

        await pc2Stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pc2.WaitAsync(Patience));
        await locking.WaitAsync(Patience);

        // Lotus's context of a JSON-RPC call ends when the call returns, and so does the lock.
        Assert.Empty((await _miner.StorageGetLocksAsync(CancellationToken.None)).Locks!);
        Assert.True(await _miner.StorageTryLockAsync(Sector.ID, SectorFileType.None, SectorFileType.All, CancellationToken.None));
    }

    [Fact]
    public async Task A_lost_workers_task_releases_its_sector_locks()
    {
        // A path of the worker's holds the sector's sealed file and cache, so FinalizeSector goes to that worker.
        var path = StorageId.New();
        await _miner.StorageAttachAsync(new StorageInfo(path, ["http://127.0.0.1:1/remote"], 10, 0, true, true, null, null, null, null, null, null), new FsStat(1L << 30, 1L << 30, 1L << 30, 0, 0, 0), CancellationToken.None);
        await _miner.StorageDeclareSectorAsync(path, Sector.ID, SectorFileType.Sealed | SectorFileType.Cache, true, CancellationToken.None);
        var fake = new FakeWorker { Hostname = "finalizer", Tasks = [TaskType.Finalize], StoragePaths = [new StoragePath(path, 10, "/var/tmp/kiln-none", true, true)] };
        await using var worker = await LoopbackWorker.ServeAsync(fake);
        await _miner.WorkerConnectAsync(worker.Url, CancellationToken.None);

        var finalize = _host.Sealing.FinalizeSectorAsync(Sector, CancellationToken.None);
        await Within(fake.FinalizeCalls.Reader.ReadAsync().AsTask(), "FinalizeSector on the worker");
        var held = Assert.Single((await _miner.StorageGetLocksAsync(CancellationToken.None)).Locks!);
        Assert.Equal([1u, 1, 1, 0, 0, 0], held.Write);
        Assert.False(await _miner.StorageTryLockAsync(Sector.ID, SectorFileType.Sealed, SectorFileType.None, CancellationToken.None));

        // The worker dies (stops answering Session): its call fails 101, and the task's locks go with it.
        fake.Fail = true;
        await _host.Workers.HeartbeatAsync(CancellationToken.None);
        var lost = await Assert.ThrowsAsync<SealingException>(() => finalize.WaitAsync(Patience));
        Assert.Equal(CallError.ErrTempWorkerRestart, lost.Error.Code);
        Assert.Empty((await _miner.StorageGetLocksAsync(CancellationToken.None)).Locks!);
        Assert.True(await _miner.StorageTryLockAsync(Sector.ID, SectorFileType.None, SectorFileType.All, CancellationToken.None));
    }

    [Fact]
    public async Task Lock_calls_that_name_no_type_or_an_unknown_type_answer_as_lotus_does()
    {
        Assert.False(await _miner.StorageTryLockAsync(Sector.ID, SectorFileType.None, SectorFileType.None, CancellationToken.None));
        var none = await Assert.ThrowsAsync<RpcException>(() => _miner.StorageLockAsync(Sector.ID, SectorFileType.None, SectorFileType.None, CancellationToken.None));
        Assert.Contains("failed to acquire lock", none.Message, StringComparison.Ordinal);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => _miner.StorageTryLockAsync(Sector.ID, (SectorFileType)(1 << 9), SectorFileType.None, CancellationToken.None));
        Assert.Contains("unknown file types specified", unknown.Message, StringComparison.Ordinal);
    }

    private static async Task<T> Within<T>(Task<T> task, string what)
    {
        try
        {
            return await task.WaitAsync(Patience);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"waited {Patience} for {what}");
            throw;
        }
    }

    /// <summary>
    /// Reads StorageGetLocks over the wire until <paramref name="done"/> holds: now, then again each time the miner's
    /// lock table changes (a task took or released locks).
    /// </summary>
    private async Task<IReadOnlyList<SectorLock>> LocksBecomeAsync(Func<IReadOnlyList<SectorLock>, bool> done, string what)
    {
        var table = _host.Miner.Locks;
        IReadOnlyList<SectorLock> locks = [];
        try
        {
            await EventWait.UntilAsync(
                h => table.Changed += h,
                h => table.Changed -= h,
                async () => done(locks = (await _miner.StorageGetLocksAsync(CancellationToken.None)).Locks ?? []),
                what,
                Patience);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"waited {Patience} for {what}; locks now: {System.Text.Json.JsonSerializer.Serialize(locks, ApiJson.Options)}");
        }

        return locks;
    }
}
