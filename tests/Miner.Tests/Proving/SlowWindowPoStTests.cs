using System.Diagnostics;
using System.Net;
using Kiln.Api;
using Kiln.Api.JsonRpc;
using Kiln.Api.Types;
using Kiln.Miner.Repo;
using Kiln.Testing;

namespace Kiln.Miner.Tests.Proving;

/// <summary>
/// SLOW (about 110 s, by design): a window PoSt partition that takes longer than HttpClient's default 100 s timeout.
/// go-jsonrpc's client has no timeout (Lotus's miner waits as long as a 32 GiB partition takes, storage/sealer/
/// manager_post.go generateWindowPoSt bounds it only by its context), so kiln-miner's worker calls must have none either;
/// the partition is bounded by Proving.PartitionTimeout. The only test of its kind; its own class is its own xunit
/// collection, so it runs in parallel with the rest of the project.
/// </summary>
[Trait("Duration", "Slow")]
public sealed class SlowWindowPoStTests : IAsyncLifetime
{
    private static readonly TimeSpan WorkerTakes = TimeSpan.FromSeconds(110);
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-miner-").FullName;
    private MinerHost _host = null!;

    public async Task InitializeAsync()
    {
        var options = new MinerOptions();
        options.Proving.Snark.UseInsecureTestProofs = true; // the stand-in worker proves with the insecure test prover
        _host = await MinerHost.StartAsync(MinerRepo.Open(Path.Combine(_dir, "repo")), options, new IPEndPoint(IPAddress.Loopback, 0), TimeProvider.System, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task A_window_partition_a_worker_answers_after_110_s_completes_on_that_worker()
    {
        var calls = 0;
        var fake = new FakeWorker { Hostname = "slow-gpu", Tasks = [TaskType.GenerateWindowPoSt] };
        fake.WindowPoSt = async (proof, miner, sectors, index, rand, ct) =>
        {
            Interlocked.Increment(ref calls);
            await Task.Delay(WorkerTakes, ct); // the GPU at work on a large partition
            return PoStFixture.Partition(proof, miner, sectors, index, rand);
        };
        await using var worker = await LoopbackWorker.ServeAsync(fake);
        var miner = RpcClient.Create(_host.RpcUrl, new RpcClientOptions { Token = _host.Repo.ReadToken() }).CreateProxy<IMinerStorageApi>();
        await miner.WorkerConnectAsync(worker.Url, CancellationToken.None);
        Assert.Equal("slow-gpu", Assert.Single(_host.Proving.WindowScheduler.WorkerStats()).Hostname);

        // 2 KiB window proofs hold 2 sectors per partition: one partition, on the one window worker.
        var clock = Stopwatch.StartNew();
        var outcome = await _host.Proving.WindowProver.ProveAsync(PoStFixture.Miner, [PoStFixture.Sector(1), PoStFixture.Sector(2)], PoStFixture.Randomness(0x11), CancellationToken.None)
            .WaitAsync(WorkerTakes * 2);
        clock.Stop();

        Assert.Equal([1UL, 2], outcome.Proven);
        Assert.Empty(outcome.Skipped);
        Assert.Equal(1, outcome.Partitions);
        Assert.False(outcome.Local);
        Assert.Equal(192, outcome.Proof.ProofBytes!.Length);
        Assert.Equal(1, calls); // answered once, not re-dispatched
        var stats = Assert.Single(_host.Proving.WindowScheduler.WorkerStats());
        Assert.Equal((1L, 0L), (stats.Completed, stats.Failed));
        Assert.True(clock.Elapsed >= WorkerTakes, $"the partition took {clock.Elapsed}, less than the worker's {WorkerTakes}");
    }
}
