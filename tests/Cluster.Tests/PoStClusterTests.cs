using Kiln.Api.Types;
using Kiln.Miner.Chain;
using Kiln.Miner.Jobs;
using Kiln.Miner.Proving;

namespace Kiln.Cluster.Tests;

/// <summary>
/// Decoupled PoSt on loopback: the miner's Window and Winning PoSt provers fan work out to PoSt workers (in process
/// and kiln-worker processes) that read vanilla proofs over HTTP from storage nodes holding copies of the lotus-bench
/// 2 KiB sector. With 2 KiB sectors a Window PoSt partition holds 2 sectors.
/// </summary>
public sealed class PoStClusterTests(BenchSectorTemplate template) : IClassFixture<BenchSectorTemplate>, IAsyncLifetime
{
    private static readonly TimeSpan ProveTimeout = TimeSpan.FromSeconds(60);

    private PoStCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await PoStCluster.StartAsync(template);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Four_partitions_run_in_parallel_on_two_window_worker_processes_and_the_merged_proof_verifies()
    {
        var (deadline, numbers) = await _cluster.DeadlineSectorsAsync(8);
        await _cluster.StartStorageNodeAsync("storage", numbers);
        var a = _cluster.StartWindowWorkerProcess("wdpost-a");
        var b = _cluster.StartWindowWorkerProcess("wdpost-b");
        var ids = await PoStCluster.WaitForPoStWorkersAsync(_cluster.Miner.Workers, _cluster.Miner.Proving.WindowScheduler, "wdpost-a", "wdpost-b");

        // Both workers frozen: a prover that dispatched partitions one at a time could never have two in flight.
        await KilnProcesses.SignalAsync(a, "STOP");
        await KilnProcesses.SignalAsync(b, "STOP");
        using var timeout = new CancellationTokenSource(ProveTimeout);
        var proving = _cluster.ProveWindowAsync(deadline, numbers, timeout.Token);
        await ClusterFixture.JobsAsync(
            _cluster.Miner.Jobs,
            async () => (await _cluster.JobsAsync(TaskType.GenerateWindowPoSt)).Where(j => j.Outcome == JobOutcome.Running).Select(j => j.HostName).Order().SequenceEqual(["wdpost-a", "wdpost-b"]),
            "a partition running on each window worker at once");
        await KilnProcesses.SignalAsync(a, "CONT");
        await KilnProcesses.SignalAsync(b, "CONT");
        var outcome = await proving;

        await AssertVerifiedAsync(deadline, outcome, local: false, partitions: 4, proven: numbers, skipped: []);

        var jobs = await _cluster.JobsAsync(TaskType.GenerateWindowPoSt);
        Assert.All(jobs, j => Assert.Equal(JobOutcome.Succeeded, j.Outcome));
        // One row per partition, named by the partition's first sector.
        Assert.Equal([numbers[0], numbers[2], numbers[4], numbers[6]], jobs.Select(j => j.Sector.Number).Order());
        Assert.All(jobs, j => Assert.Equal(ids[j.HostName], j.WorkerId));
        var onA = jobs.Where(j => j.HostName == "wdpost-a").ToList();
        var onB = jobs.Where(j => j.HostName == "wdpost-b").ToList();
        Assert.NotEmpty(onA);
        Assert.NotEmpty(onB);
        // Partitions on different workers overlapped in time ...
        Assert.Contains(onA, x => onB.Exists(y => x.Start < y.End && y.Start < x.End));
        // ... and each worker ran one partition at a time (MaxPartitionsPerWorker 1).
        foreach (var rows in new[] { onA, onB })
        {
            Assert.All(rows.Zip(rows.Skip(1)), p => Assert.True(p.First.End <= p.Second.Start, $"{p.First.Sector.Number} and {p.Second.Sector.Number} overlap on {p.First.HostName}"));
        }
    }

    [Fact]
    public async Task A_partition_on_a_window_worker_killed_mid_proof_is_dispatched_again_to_the_other_worker()
    {
        var (deadline, numbers) = await _cluster.DeadlineSectorsAsync(4);
        await _cluster.StartStorageNodeAsync("storage", numbers);
        var victim = _cluster.StartWindowWorkerProcess("wdpost-victim");
        await _cluster.StartWindowWorkerAsync("wdpost-survivor");
        var ids = await PoStCluster.WaitForPoStWorkersAsync(_cluster.Miner.Workers, _cluster.Miner.Proving.WindowScheduler, "wdpost-victim", "wdpost-survivor");

        await KilnProcesses.SignalAsync(victim, "STOP");
        using var timeout = new CancellationTokenSource(ProveTimeout);
        var proving = _cluster.ProveWindowAsync(deadline, numbers, timeout.Token);
        JobRecord? started = null;
        await ClusterFixture.JobsAsync(
            _cluster.Miner.Jobs,
            async () => (started = (await _cluster.JobsAsync(TaskType.GenerateWindowPoSt)).SingleOrDefault(j => j.HostName == "wdpost-victim" && j.Outcome == JobOutcome.Running)) != null,
            "a partition started on the victim");
        victim.Kill(entireProcessTree: true); // kill -9 with the partition in flight
        var outcome = await proving;

        await AssertVerifiedAsync(deadline, outcome, local: false, partitions: 2, proven: numbers, skipped: []);

        var jobs = await _cluster.JobsAsync(TaskType.GenerateWindowPoSt);
        var failed = Assert.Single(jobs, j => j.HostName == "wdpost-victim");
        Assert.Equal(started!.CallId, failed.CallId);
        Assert.Equal(JobOutcome.Failed, failed.Outcome);
        Assert.Equal(ids["wdpost-victim"], failed.WorkerId);
        // The survivor proved its own partition and the victim's, after the victim's attempt failed.
        var survivor = jobs.Where(j => j.HostName == "wdpost-survivor").ToList();
        Assert.All(survivor, j => Assert.Equal(JobOutcome.Succeeded, j.Outcome));
        Assert.All(survivor, j => Assert.Equal(ids["wdpost-survivor"], j.WorkerId));
        Assert.Equal([numbers[0], numbers[2]], survivor.Select(j => j.Sector.Number).Order());
        var again = Assert.Single(survivor, j => j.Sector.Number == failed.Sector.Number);
        Assert.True(again.Start >= failed.End, "the partition ran again only after the victim's attempt failed");
    }

    [Fact]
    public async Task Sectors_of_an_offline_storage_node_are_skipped_and_the_rest_are_proven()
    {
        var (deadline, numbers) = await _cluster.DeadlineSectorsAsync(4);
        // Interleaved, so both partitions of the first attempt hold one sector of each node.
        List<ulong> onA = [numbers[0], numbers[2]], onB = [numbers[1], numbers[3]];
        await _cluster.StartStorageNodeAsync("storage-a", onA);
        var nodeB = await _cluster.StartStorageNodeAsync("storage-b", onB);
        await _cluster.StartWindowWorkerAsync("wdpost", postReadTimeout: TimeSpan.FromSeconds(5));
        var ids = await PoStCluster.WaitForPoStWorkersAsync(_cluster.Miner.Workers, _cluster.Miner.Proving.WindowScheduler, "wdpost");
        await _cluster.StopAsync(nodeB);

        using var timeout = new CancellationTokenSource(ProveTimeout);
        var started = DateTimeOffset.UtcNow;
        var outcome = await _cluster.ProveWindowAsync(deadline, numbers, timeout.Token);

        Assert.True(DateTimeOffset.UtcNow - started < TimeSpan.FromSeconds(20), "unreadable sectors should not stall the deadline");
        await AssertVerifiedAsync(deadline, outcome, local: false, partitions: 1, proven: onA, skipped: onB);

        // Two partitions answered with skipped sectors, then one partition of the rest: all on the window worker.
        var jobs = await _cluster.JobsAsync(TaskType.GenerateWindowPoSt);
        Assert.Equal(3, jobs.Count);
        Assert.All(jobs, j => Assert.Equal(("wdpost", ids["wdpost"], JobOutcome.Succeeded), (j.HostName, j.WorkerId, j.Outcome)));
        Assert.Equal([numbers[0], numbers[0], numbers[2]], jobs.Select(j => j.Sector.Number).Order());
    }

    [Fact]
    public async Task Without_a_window_worker_the_miner_proves_the_deadline_itself()
    {
        var (deadline, numbers) = await _cluster.DeadlineSectorsAsync(4);
        await _cluster.StartStorageNodeAsync("storage", numbers);
        await PoStCluster.WaitForPoStWorkersAsync(_cluster.Miner.Workers, _cluster.Miner.Proving.WindowScheduler);
        Assert.False(_cluster.Miner.Proving.WindowScheduler.CanSchedule);

        using var timeout = new CancellationTokenSource(ProveTimeout);
        var outcome = await _cluster.ProveWindowAsync(deadline, numbers, timeout.Token);

        await AssertVerifiedAsync(deadline, outcome, local: true, partitions: 2, proven: numbers, skipped: []);
        var jobs = await _cluster.JobsAsync(TaskType.GenerateWindowPoSt);
        Assert.Equal([numbers[0], numbers[2]], jobs.Select(j => j.Sector.Number).Order());
        Assert.All(jobs, j => Assert.Equal((Environment.MachineName, Guid.Empty, JobOutcome.Succeeded), (j.HostName, j.WorkerId, j.Outcome)));
    }

    [Fact]
    public async Task A_proven_deadline_goes_to_the_chain_as_one_SubmitWindowedPoSt_and_its_receipt_is_recorded()
    {
        // A deadline just opened, so the proof has its whole challenge window: four sectors, two partitions, one message
        // (PoStedPartitionsMax 3, Lotus wdpost_run.go BatchPartitions).
        var chain = _cluster.Miner.Proving.Chain;
        var current = await chain.ProvingDeadlineAsync(PoStCluster.MinerId, CancellationToken.None);
        await chain.WaitForEpochAsync(current.Close, CancellationToken.None);
        var (deadline, numbers) = await _cluster.DeadlineSectorsAsync(4);
        await _cluster.StartStorageNodeAsync("storage", numbers);
        var loop = _cluster.Loop(numbers);

        using var timeout = new CancellationTokenSource(ProveTimeout);
        var record = await loop.ProveDeadlineAsync(deadline, timeout.Token);

        Assert.NotNull(record);
        Assert.True(record.Outcome == "Succeeded", record.Error);
        Assert.Equal([(deadline.Index, 0), (deadline.Index, 1)], _cluster.Chain.ProvenPartitions.Where(p => p.Deadline == deadline.Index).Select(p => (p.Deadline, p.Partition)).Order());
        var timeline = await _cluster.Miner.Proving.History.LatestTimelineAsync(PoStTimelineEntry.WindowProof, deadline.Index, CancellationToken.None);
        var submit = Assert.Single(timeline, e => e.Phase == "submit");
        Assert.Contains("SubmitWindowedPoSt", submit.Detail, StringComparison.Ordinal);
        Assert.Contains("for partitions 0,1", submit.Detail, StringComparison.Ordinal);
        var receipt = Assert.Single(timeline, e => e.Phase == "receipt");
        Assert.Equal("Succeeded", receipt.Outcome);
        Assert.Contains("exit Ok(0)", receipt.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Proving_check_reads_each_sectors_vanilla_proof_and_names_the_bad_ones_with_the_reason()
    {
        var (_, numbers) = await _cluster.DeadlineSectorsAsync(4);
        await _cluster.StartStorageNodeAsync("storage", [.. numbers.Take(3)]); // the fourth sector's files are on no path

        var bad = await _cluster.Miner.Proving.CheckProvableAsync([.. numbers, 99UL], PoStCluster.Sectors(numbers), CancellationToken.None);

        Assert.Equal([numbers[3], 99UL], bad.Keys.Order());
        Assert.Equal("not a Proving sector of this miner: kiln-miner holds no sealed CID for it", bad[99]);
        Assert.False(string.IsNullOrWhiteSpace(bad[numbers[3]]));
    }

    [Fact]
    public async Task Winning_post_is_proven_on_the_winning_worker()
    {
        var (_, numbers) = await _cluster.DeadlineSectorsAsync(3);
        await _cluster.StartStorageNodeAsync("storage", numbers);
        await _cluster.StartWinningWorkerAsync("wnpost");
        var ids = await PoStCluster.WaitForPoStWorkersAsync(_cluster.Miner.Workers, _cluster.Miner.Proving.WinningScheduler, "wnpost");

        var sector = await ProveWinningAsync(numbers, local: false);

        var job = Assert.Single(await _cluster.JobsAsync(TaskType.GenerateWinningPoSt));
        Assert.Equal(("wnpost", ids["wnpost"], sector, JobOutcome.Succeeded), (job.HostName, job.WorkerId, job.Sector.Number, job.Outcome));
    }

    [Fact]
    public async Task Without_a_winning_worker_the_miner_proves_winning_post_itself()
    {
        var (_, numbers) = await _cluster.DeadlineSectorsAsync(3);
        await _cluster.StartStorageNodeAsync("storage", numbers);
        // A window worker does not take winning PoSt.
        await _cluster.StartWindowWorkerAsync("wdpost");
        await PoStCluster.WaitForPoStWorkersAsync(_cluster.Miner.Workers, _cluster.Miner.Proving.WindowScheduler, "wdpost");
        Assert.False(_cluster.Miner.Proving.WinningScheduler.CanSchedule);

        var sector = await ProveWinningAsync(numbers, local: true);

        var job = Assert.Single(await _cluster.JobsAsync(TaskType.GenerateWinningPoSt));
        Assert.Equal((Environment.MachineName, Guid.Empty, sector, JobOutcome.Succeeded), (job.HostName, job.WorkerId, job.Sector.Number, job.Outcome));
        Assert.Empty(await _cluster.JobsAsync(TaskType.GenerateWindowPoSt));
    }

    /// <summary>Where the deadline was proven, in how many partitions, which sectors were proven and skipped, and that the merged proof verifies.</summary>
    private async Task AssertVerifiedAsync(DeadlineInfo deadline, WindowPoStOutcome outcome, bool local, int partitions, IReadOnlyList<ulong> proven, IReadOnlyList<ulong> skipped)
    {
        Assert.Equal(local, outcome.Local);
        Assert.Equal(partitions, outcome.Partitions);
        Assert.Equal(proven, outcome.Proven);
        Assert.Equal(skipped, outcome.Skipped.Order());
        Assert.True(await _cluster.VerifyWindowAsync(deadline, outcome), "the merged Window PoSt proof does not verify");
    }

    /// <summary>A Winning PoSt round now: proven where expected, one challenged sector of the set, the proof verifies. Returns that sector.</summary>
    private async Task<ulong> ProveWinningAsync(IReadOnlyList<ulong> numbers, bool local)
    {
        var chain = _cluster.Chain;
        var epoch = chain.CurrentEpoch;
        using var timeout = new CancellationTokenSource(ProveTimeout);
        var outcome = await _cluster.Miner.Proving.WinningProver.ProveAsync(PoStCluster.MinerId, PoStCluster.Sectors(numbers), await _cluster.Miner.Proving.Chain.WinningPoStRandomnessAsync(PoStCluster.MinerId, epoch, timeout.Token), timeout.Token);

        Assert.Equal(local, outcome.Local);
        var sector = Assert.Single(outcome.Challenged);
        Assert.Contains(sector, numbers);
        Assert.True(await _cluster.VerifyWinningAsync(epoch, outcome), "the Winning PoSt proof does not verify");
        return sector;
    }
}
