using Kiln.Api.Types;
using Kiln.Miner.Chain;
using Kiln.Miner.Cli;
using Kiln.Miner.Proving;
using Kiln.Miner.Rpc;
using Kiln.Miner.Workers;
using Kiln.Testing;

namespace Kiln.Miner.Tests.Proving;

/// <summary>Every Window PoSt deadline leaves its steps in the PoSt history, and <c>proving deadline N</c> shows them.</summary>
public sealed class PoStTimelineTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-timeline-").FullName;
    private PoStHistory _history = null!;

    public async Task InitializeAsync() =>
        _history = await PoStHistory.OpenAsync(Path.Combine(_dir, "deadlines.sqlite"), TimeProvider.System, CancellationToken.None);

    public async Task DisposeAsync()
    {
        await _history.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private static IReadOnlyList<ProvingSector> Sectors(int count) => [.. Enumerable.Range(1, count).Select(n => PoStFixture.Sector((ulong)n))];

    [Fact]
    public async Task A_deadline_records_challenges_each_partition_with_its_reads_and_snark_the_merge_and_the_verify()
    {
        // Worker "a" reports its own timings (as a kiln-worker does); "b" answers as a lotus-worker, without them.
        var both = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = 0;
        async Task Gate(FakeWorker w, int index)
        {
            if (Interlocked.Increment(ref entered) == 2)
            {
                both.TrySetResult();
            }

            await both.Task.WaitAsync(Patience);
        }

        var a = PoStFixture.WindowWorker("a", Gate);
        var plain = a.WindowPoSt!;
        a.WindowPoSt = async (proof, miner, sectors, index, rand, ct) => await plain(proof, miner, sectors, index, rand, ct) with { KilnTimings = new PoStTimings(3000, 1000, sectors.Count) };
        var scheduler = PoStFixture.Scheduler(WorkerKind.WindowPoSt, a, PoStFixture.WindowWorker("b", Gate));
        var deadline = DeadlineInfo.At(600);
        var timeline = PoStTimeline.ForDeadline(deadline, TimeProvider.System);

        var outcome = await PoStFixture.Window(scheduler, history: _history).ProveAsync(PoStFixture.Miner, Sectors(4), PoStFixture.Randomness(7), timeline, CancellationToken.None);

        Assert.Equal(2, outcome.Partitions);
        var steps = await _history.LatestTimelineAsync(PoStTimelineEntry.WindowProof, deadline.Index, CancellationToken.None);
        Assert.All(steps, s => Assert.Equal((600L, 10), (s.Epoch, s.Deadline)));
        Assert.Equal(
            ["challenges", "deadline", "merge", "partition", "partition", "snark", "vanilla", "verify"],
            steps.Select(s => s.Phase).Order(StringComparer.Ordinal));
        var partitions = steps.Where(s => s.Phase == "partition").OrderBy(s => s.Partition).ToList();
        Assert.Equal([0, 1], partitions.Select(p => p.Partition!.Value));
        Assert.Equal(["a", "b"], partitions.Select(p => p.Host).Order(StringComparer.Ordinal));
        Assert.All(partitions, p => Assert.Equal((2, "Succeeded"), (p.Sectors, p.Outcome)));
        Assert.True(partitions.Max(p => p.Start) < partitions.Min(p => p.End), "the two partitions overlap in time");

        var onA = partitions.Single(p => p.Host == "a");
        var vanilla = steps.Single(s => s.Phase == "vanilla");
        var snark = steps.Single(s => s.Phase == "snark");
        Assert.Equal((onA.Partition, onA.Worker, "a"), (vanilla.Partition, vanilla.Worker, vanilla.Host));
        Assert.Equal(TimeSpan.FromMilliseconds(3), vanilla.Duration);
        Assert.Equal(TimeSpan.FromMilliseconds(1), snark.Duration);
        Assert.Equal(onA.End, snark.End);
        Assert.Equal(snark.Start, vanilla.End);
        Assert.Contains("2 of 2 read", vanilla.Detail, StringComparison.Ordinal);

        var whole = steps.Single(s => s.Phase == "deadline");
        Assert.Equal(("Succeeded", 4), (whole.Outcome, whole.Sectors));
        // Worker-reported steps are placed back from the answer, so only the miner's own steps must lie inside the deadline.
        Assert.All(steps.Where(s => s.Detail?.Contains("worker-reported", StringComparison.Ordinal) != true), s => Assert.InRange(s.Start, whole.Start, whole.End));
        Assert.Equal("Succeeded", steps.Single(s => s.Phase == "verify").Outcome);
        Assert.Contains("2 partition proofs", steps.Single(s => s.Phase == "merge").Detail, StringComparison.Ordinal);
        Assert.Equal(whole, (await _history.LatestDeadlinesAsync(CancellationToken.None))[10]);
    }

    [Fact]
    public async Task A_redispatched_partition_shows_the_failed_attempt_and_the_one_that_proved_it()
    {
        // Both partitions start (one per worker) before the flaky worker drops its connection.
        var gate = PoStFixture.BothStartThenDrops("flaky", Patience);
        var scheduler = PoStFixture.Scheduler(WorkerKind.WindowPoSt, PoStFixture.WindowWorker("flaky", gate), PoStFixture.WindowWorker("steady", gate));
        var timeline = PoStTimeline.ForDeadline(DeadlineInfo.At(120), TimeProvider.System);

        await PoStFixture.Window(scheduler, history: _history).ProveAsync(PoStFixture.Miner, Sectors(4), PoStFixture.Randomness(1), timeline, CancellationToken.None);

        var attempts = (await _history.LatestTimelineAsync(PoStTimelineEntry.WindowProof, 2, CancellationToken.None)).Where(s => s.Phase == "partition").ToList();
        var failed = Assert.Single(attempts, p => p.Host == "flaky");
        Assert.Equal(("Failed", "connection reset"), (failed.Outcome, failed.Detail));
        var proven = attempts.Where(p => p.Host == "steady").ToList();
        Assert.All(proven, p => Assert.Equal("Succeeded", p.Outcome));
        Assert.Equal([0, 1], proven.Select(p => p.Partition!.Value).Order());
        Assert.True(proven.Single(p => p.Partition == failed.Partition).Start >= failed.End, "the partition went to the steady worker after the flaky one failed");
    }

    [Fact]
    public async Task A_failed_deadline_keeps_its_timeline_with_the_error_and_a_later_proof_replaces_it_as_the_latest()
    {
        var prover = PoStFixture.Window(PoStFixture.Scheduler(WorkerKind.WindowPoSt), new ProvingOptions { DisableBuiltinWindowPoSt = true }, history: _history);
        await Assert.ThrowsAsync<PoStException>(() => prover.ProveAsync(PoStFixture.Miner, Sectors(2), PoStFixture.Randomness(1), PoStTimeline.ForDeadline(DeadlineInfo.At(180), TimeProvider.System), CancellationToken.None));

        var failed = await _history.LatestTimelineAsync(PoStTimelineEntry.WindowProof, 3, CancellationToken.None);
        var whole = failed.Single(s => s.Phase == "deadline");
        Assert.Equal(("Failed", 180L), (whole.Outcome, whole.Epoch));
        Assert.Contains("built-in window PoSt is disabled", whole.Detail, StringComparison.Ordinal);

        // The same deadline one proving period later, proven this time.
        var next = DeadlineInfo.At(180 + DeadlineInfo.ProvingPeriod);
        var worked = PoStFixture.Window(PoStFixture.Scheduler(WorkerKind.WindowPoSt, PoStFixture.WindowWorker("a")), history: _history);
        await worked.ProveAsync(PoStFixture.Miner, Sectors(2), PoStFixture.Randomness(1), PoStTimeline.ForDeadline(next, TimeProvider.System), CancellationToken.None);

        var latest = await _history.LatestTimelineAsync(PoStTimelineEntry.WindowProof, 3, CancellationToken.None);
        Assert.All(latest, s => Assert.Equal(next.Open, s.Epoch));
        Assert.Equal("Succeeded", latest.Single(s => s.Phase == "deadline").Outcome);
    }

    [Fact]
    public void Proving_deadline_prints_the_steps_with_offsets_and_durations()
    {
        var t0 = new DateTimeOffset(2026, 11, 22, 4, 0, 0, TimeSpan.Zero);
        var worker = Guid.Parse("8a4acfbf-1111-4000-8000-000000000001");
        PoStTimelineEntry Step(string phase, int? partition, Guid w, int startMs, int endMs, string outcome, string? detail = null) =>
            new(PoStTimelineEntry.WindowProof, 600, 10, phase, partition, w == Guid.Empty ? "miner-host" : "post-1", w, t0.AddMilliseconds(startMs), t0.AddMilliseconds(endMs), 2, outcome, detail);
        var output = new StringWriter();

        ProvingCommands.WriteDeadline(output, new ProvingDeadlineTimeline(10, 2, [
            Step("challenges", null, Guid.Empty, 0, 1, "Succeeded"),
            Step("partition", 0, worker, 1, 251, "Succeeded"),
            Step("deadline", null, Guid.Empty, 0, 260, "Succeeded", "2 sectors proven, 0 skipped, 1 partitions on window workers"),
        ]));

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("Deadline Index:         10", lines[0]);
        Assert.Equal("Last Window PoSt:       open epoch 600, Succeeded in 260ms: 2 sectors proven, 0 skipped, 1 partitions on window workers", lines[2]);
        Assert.Contains(lines, l => l.StartsWith("partition", StringComparison.Ordinal) && l.Contains("8a4acfbf", StringComparison.Ordinal) && l.Contains("+1ms", StringComparison.Ordinal) && l.Contains("250ms", StringComparison.Ordinal));
    }
}
