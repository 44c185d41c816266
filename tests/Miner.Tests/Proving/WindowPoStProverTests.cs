using System.Collections.Concurrent;
using Kiln.Api.Types;
using Kiln.Miner.Proving;
using Kiln.Miner.Workers;
using Kiln.Testing;

namespace Kiln.Miner.Tests.Proving;

public sealed class WindowPoStProverTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task All_partitions_run_at_once_on_different_workers_and_the_merged_proof_verifies()
    {
        // 2 KiB window proofs hold 2 sectors per partition: 6 sectors are 3 partitions for 3 workers.
        var started = new ConcurrentBag<(int Partition, string Host, DateTimeOffset At)>();
        var ended = new ConcurrentBag<DateTimeOffset>();
        var allStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task Gate(FakeWorker w, int index)
        {
            started.Add((index, w.Hostname, DateTimeOffset.UtcNow));
            if (started.Count == 3)
            {
                allStarted.TrySetResult();
            }

            await allStarted.Task.WaitAsync(Patience);
            ended.Add(DateTimeOffset.UtcNow);
        }

        var scheduler = PoStFixture.Scheduler(WorkerKind.WindowPoSt, PoStFixture.WindowWorker("a", Gate), PoStFixture.WindowWorker("b", Gate), PoStFixture.WindowWorker("c", Gate));
        var outcome = await PoStFixture.Window(scheduler).ProveAsync(PoStFixture.Miner, [.. Enumerable.Range(1, 6).Reverse().Select(n => PoStFixture.Sector((ulong)n)), PoStFixture.Sector(2)], PoStFixture.Randomness(0xff), CancellationToken.None);

        Assert.Equal(3, outcome.Partitions);
        Assert.False(outcome.Local);
        Assert.Equal([1UL, 2, 3, 4, 5, 6], outcome.Proven);
        Assert.Empty(outcome.Skipped);
        Assert.Equal(3 * 192, outcome.Proof.ProofBytes!.Length);
        Assert.Equal(["a", "b", "c"], started.Select(s => s.Host).Order(StringComparer.Ordinal));
        Assert.True(started.Max(s => s.At) <= ended.Min(), "every partition started before any ended");
        Assert.All(scheduler.WorkerStats(), w => Assert.Equal((0, 1L), (w.InFlight, w.Completed)));
    }

    [Fact]
    public async Task A_partition_whose_worker_drops_the_connection_goes_to_another_worker()
    {
        // Both partitions start (one per worker) before the flaky worker drops its connection.
        var gate = PoStFixture.BothStartThenDrops("flaky", Patience);
        var flaky = PoStFixture.WindowWorker("flaky", gate);
        var good = PoStFixture.WindowWorker("good", gate);
        var scheduler = PoStFixture.Scheduler(WorkerKind.WindowPoSt, flaky, good);

        var outcome = await PoStFixture.Window(scheduler).ProveAsync(PoStFixture.Miner, [.. Enumerable.Range(1, 4).Select(n => PoStFixture.Sector((ulong)n))], PoStFixture.Randomness(7), CancellationToken.None);

        Assert.Equal([1UL, 2, 3, 4], outcome.Proven);
        var stats = scheduler.WorkerStats().ToDictionary(s => s.Hostname);
        Assert.Equal(1, stats["flaky"].Failed);
        Assert.Equal(2, stats["flaky"].Completed + stats["good"].Completed);
    }

    [Fact]
    public async Task A_partition_past_its_timeout_is_dispatched_again()
    {
        var hung = PoStFixture.WindowWorker("hung", (_, _) => Task.Delay(Timeout.Infinite));
        var good = PoStFixture.WindowWorker("good");
        var scheduler = PoStFixture.Scheduler(WorkerKind.WindowPoSt, hung, good);
        var options = new ProvingOptions { PartitionTimeout = TimeSpan.FromMilliseconds(300) };

        var outcome = await PoStFixture.Window(scheduler, options).ProveAsync(PoStFixture.Miner, [.. Enumerable.Range(1, 4).Select(n => PoStFixture.Sector((ulong)n))], PoStFixture.Randomness(9), CancellationToken.None).WaitAsync(Patience);

        Assert.Equal([1UL, 2, 3, 4], outcome.Proven);
        Assert.Equal(0, scheduler.WorkerStats().Single(s => s.Hostname == "hung").Completed);
    }

    [Fact]
    public async Task A_slow_partition_is_hedged_onto_an_idle_worker()
    {
        // The first call hangs (far below the partition timeout); the hedge on the other worker answers.
        var calls = 0;
        Task Slow(FakeWorker w, int index) => Interlocked.Increment(ref calls) == 1 ? Task.Delay(Timeout.Infinite) : Task.CompletedTask;
        var scheduler = PoStFixture.Scheduler(WorkerKind.WindowPoSt, PoStFixture.WindowWorker("a", Slow), PoStFixture.WindowWorker("b", Slow));
        var options = new ProvingOptions { HedgeAfter = TimeSpan.FromMilliseconds(100) };

        var outcome = await PoStFixture.Window(scheduler, options).ProveAsync(PoStFixture.Miner, [PoStFixture.Sector(1), PoStFixture.Sector(2)], PoStFixture.Randomness(5), CancellationToken.None).WaitAsync(Patience);

        Assert.Equal([1UL, 2], outcome.Proven);
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task Skipped_sectors_are_reported_and_the_batch_is_proven_again_without_them()
    {
        var batches = new ConcurrentBag<string>();
        var w = new FakeWorker { Hostname = "w", Tasks = [TaskType.GenerateWindowPoSt] };
        w.WindowPoSt = (proof, miner, sectors, index, rand, ct) =>
        {
            batches.Add(string.Join(',', sectors.Select(s => s.SectorNumber)));
            return Task.FromResult(sectors.Any(s => s.SectorNumber == 3)
                ? new WindowPoStResult(new PoStProof(proof, null), [new SectorId(miner, 3)])
                : PoStFixture.Partition(proof, miner, sectors, index, rand));
        };
        var scheduler = PoStFixture.Scheduler(WorkerKind.WindowPoSt, w);

        var outcome = await PoStFixture.Window(scheduler).ProveAsync(PoStFixture.Miner, [.. Enumerable.Range(1, 5).Select(n => PoStFixture.Sector((ulong)n))], PoStFixture.Randomness(3), CancellationToken.None);

        Assert.Equal([3UL], outcome.Skipped);
        Assert.Equal([1UL, 2, 4, 5], outcome.Proven);
        Assert.Equal(2, outcome.Partitions);
        Assert.Contains("3,4", batches);
        Assert.Contains("4,5", batches);
    }

    [Fact]
    public async Task Without_workers_and_with_the_builtin_prover_disabled_it_fails()
    {
        var scheduler = PoStFixture.Scheduler(WorkerKind.WindowPoSt);
        var e = await Assert.ThrowsAsync<PoStException>(() => PoStFixture.Window(scheduler, new ProvingOptions { DisableBuiltinWindowPoSt = true })
            .ProveAsync(PoStFixture.Miner, [PoStFixture.Sector(1)], PoStFixture.Randomness(1), CancellationToken.None));
        Assert.Contains("built-in window PoSt is disabled", e.Message, StringComparison.Ordinal);
    }
}
