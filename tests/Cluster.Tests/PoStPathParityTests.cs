using Kiln.Api.Types;
using Kiln.Miner.Proving;
using Kiln.Miner.Workers;
using Kiln.Proofs;
using Kiln.Proofs.Snark;
using Kiln.Stores.Index;
using Kiln.Stores.Local;
using Kiln.Stores.PoSt;
using Kiln.Stores.Remote;
using Kiln.Testing;
using Kiln.Worker.Rpc;
using Kiln.Worker.Run;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Cluster.Tests;

/// <summary>
/// The lotus-bench 2 KiB sector proven twice in one process: by kiln-miner's built-in prover (no PoSt worker) and by
/// a kiln-worker's <see cref="WorkerApi"/> the miner dispatches to. The insecure test prover is deterministic, so the
/// two paths must give byte-identical proofs.
/// </summary>
public sealed class PoStPathParityTests : IAsyncLifetime
{
    private const ulong Miner = BenchSector.Miner;
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-post-parity-").FullName;
    private readonly MemSectorIndex _index = new();
    private readonly InsecureTestProver _snark = new();
    private readonly ProvingSector _sector = new(1, RegisteredSealProof.StackedDrg2KiBV1_1, Cid.Parse(BenchSector.CommR));
    private LocalStore _store = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _store = new LocalStore(_index, new LocalStoreOptions { Urls = ["http://127.0.0.1:1/remote"], StorageConfigFile = Path.Combine(_dir, "storage.json") });
        await BenchSector.SealAsync(_store, _index, Path.Combine(_dir, "store"), Path.Combine(_dir, "work"), ct: Ct);
        _http = new HttpClient();
    }

    public Task DisposeAsync()
    {
        _http.Dispose();
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Window_post_of_the_bench_sector_is_identical_on_the_miner_and_on_a_worker()
    {
        var randomness = Enumerable.Repeat((byte)0xc7, 32).ToArray();

        var local = await WindowProver(Scheduler(WorkerKind.WindowPoSt)).ProveAsync(Miner, [_sector], randomness, Ct);
        var worker = Worker(TaskType.GenerateWindowPoSt);
        var remote = await WindowProver(Scheduler(WorkerKind.WindowPoSt, worker)).ProveAsync(Miner, [_sector], randomness, Ct);

        Assert.True(local.Local);
        Assert.False(remote.Local);
        Assert.Equal(1, worker.Calls);
        Assert.Equal([1UL], local.Proven);
        Assert.Equal(local.Proven, remote.Proven);
        Assert.Empty(remote.Skipped);
        Assert.Equal(local.Proof.ProofType, remote.Proof.ProofType);
        Assert.Equal(192, local.Proof.ProofBytes!.Length);
        Assert.Equal(local.Proof.ProofBytes, remote.Proof.ProofBytes);
    }

    [Fact]
    public async Task Winning_post_of_the_bench_sector_is_identical_on_the_miner_and_on_a_worker()
    {
        var randomness = Enumerable.Repeat((byte)0x5a, 32).ToArray();

        var local = await WinningProver(Scheduler(WorkerKind.WinningPoSt)).ProveAsync(Miner, [_sector], randomness, Ct);
        var worker = Worker(TaskType.GenerateWinningPoSt);
        var remote = await WinningProver(Scheduler(WorkerKind.WinningPoSt, worker)).ProveAsync(Miner, [_sector], randomness, Ct);

        Assert.True(local.Local);
        Assert.False(remote.Local);
        Assert.Equal(1, worker.Calls);
        Assert.Equal([1UL], remote.Challenged);
        var expected = Assert.Single(local.Proofs);
        var actual = Assert.Single(remote.Proofs);
        Assert.Equal(expected.ProofType, actual.ProofType);
        Assert.Equal(expected.ProofBytes, actual.ProofBytes);
    }

    private VanillaProofReader Reader() => new(_store, _index, _http, new VanillaReaderOptions());

    private WindowPoStProver WindowProver(PoStScheduler scheduler) =>
        new(scheduler, _snark, Reader(), new ProvingOptions(), TimeProvider.System, NullLogger<WindowPoStProver>.Instance);

    private WinningPoStProver WinningProver(PoStScheduler scheduler) =>
        new(scheduler, _snark, Reader(), new ProvingOptions(), NullLogger<WinningPoStProver>.Instance);

    /// <summary>A kiln-worker's RPC surface over the same storage, reachable by the miner's scheduler in process.</summary>
    private CountingWorker Worker(TaskType task)
    {
        var options = new WorkerOptions { RepoPath = Path.Combine(_dir, "worker-" + task), RequestedTasks = new HashSet<TaskType> { task } };
        var api = new WorkerApi(
            options, _store, null!, null!, _ => null, NullLogger.Instance, null, new PartitionProver(Reader(), _snark, new PartitionProverOptions { ParallelReads = 2 }));
        var worker = new CountingWorker(new FakeWorker { Hostname = "post-worker", Tasks = [task] });
        worker.Fake.WindowPoSt = (proof, miner, sectors, index, rand, ct) =>
        {
            worker.Called();
            return api.GenerateWindowPoStAsync(proof, miner, sectors, index, rand, ct);
        };
        worker.Fake.WinningPoSt = (proof, miner, sectors, rand, ct) =>
        {
            worker.Called();
            return api.GenerateWinningPoStAsync(proof, miner, sectors, rand, ct);
        };
        return worker;
    }

    private static PoStScheduler Scheduler(WorkerKind kind, CountingWorker? worker = null)
    {
        var scheduler = new PoStScheduler(kind, TimeProvider.System, NullLogger<PoStScheduler>.Instance);
        if (worker is not null)
        {
            var w = worker.Fake;
            var info = new WorkerInfo(w.Hostname, false, new WorkerResources(w.Memory, 0, 0, 0, w.Cpus, [], ResourceTable.Default));
            Assert.True(scheduler.AddWorker(new WorkerHandle(w.Session, "http://" + w.Hostname + "/rpc/v0", w, info, w.Tasks, DateTimeOffset.UnixEpoch)));
        }

        return scheduler;
    }

    private sealed class CountingWorker(FakeWorker fake)
    {
        private int _calls;

        public FakeWorker Fake { get; } = fake;

        public int Calls => Volatile.Read(ref _calls);

        public void Called() => Interlocked.Increment(ref _calls);
    }
}
