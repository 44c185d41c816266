using Kiln.Api.Chain;
using Kiln.Api.Types;
using Kiln.Miner.Jobs;
using Kiln.Miner.Proving;
using Kiln.Testing.Chain;

namespace Kiln.Cluster.Tests;

/// <summary>
/// Window PoSt when sectors or the chain fail, against a Lotus full node (the stand-in, which decodes every message
/// with its own CBOR decoder and applies it as builtin-actors' miner actor does):
/// <list type="bullet">
/// <item>ahead of a deadline, unreadable sectors are declared faulty and readable faulty ones recovered, for the
/// deadline after next (Lotus storage/wdpost/wdpost_run_faults.go asyncFaultRecover, declareRecoveries, and the
/// declareFaults Lotus ran before the Ignition upgrade);</item>
/// <item>a sector that cannot be read during the PoSt goes in its partition's Skipped and the PoSt still lands
/// (wdpost_run.go runPoStCycle);</item>
/// <item>a node down during the deadline is retried until the deadline closes, then the miss is recorded; a message
/// failing on chain is recorded with its exit code; a PoSt worker killed mid-partition ends, after re-dispatch, in a
/// submitted message.</item>
/// </list>
/// </summary>
public sealed class WindowPoStFaultsClusterTests(BenchSectorTemplate template) : IClassFixture<BenchSectorTemplate>, IAsyncLifetime
{
    private static readonly TimeSpan ProveTimeout = TimeSpan.FromSeconds(90);

    /// <summary>The open of deadline 5 (60-epoch windows); the stand-in mines from there once a test starts it.</summary>
    private const long Deadline5Open = 2880 + (5 * 60);

    private LotusNodeStandIn _node = null!;
    private PoStCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _node = await LotusNodeStandIn.StartAsync(startHeight: Deadline5Open, network: 't');
        _cluster = await PoStCluster.StartAsync(template, _node.ApiInfo);
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _node.DisposeAsync();
    }

    [Fact]
    public async Task An_unreadable_sector_is_declared_faulty_ahead_of_its_deadline_and_recovered_once_readable_again()
    {
        // Deadline 7 (the one after next from deadline 5): partition 0 holds 21 and 22, partition 1 holds 23 and 24.
        _node.Activate(7, 0, 21, 22);
        _node.Activate(7, 1, 23, 24);
        await _cluster.StartStorageNodeAsync("storage", [21, 23, 24]);
        var lost = await _cluster.StartStorageNodeAsync("storage-lost", [22]);
        await _cluster.StopAsync(lost);
        var loop = _cluster.Loop([21, 22, 23, 24]);
        var open = await _cluster.Miner.Proving.Chain.ProvingDeadlineAsync(PoStCluster.MinerId, CancellationToken.None);
        Assert.Equal(5, open.Index);
        // Deadline 7's fault cutoff is 50 epochs away: both declarations land well before it at 150 ms an epoch.
        _node.StartMining(TimeSpan.FromMilliseconds(150));

        using var timeout = new CancellationTokenSource(ProveTimeout);
        var faults = await loop.DeclareAheadAsync(open, timeout.Token);

        Assert.NotNull(faults);
        Assert.Equal(7, faults.Deadline);
        Assert.Empty(faults.Recoveries);
        Assert.Equal([22UL], faults.Bad.Keys);
        var declared = Assert.Single(_node.FaultDeclarations);
        var declaration = Assert.Single(declared.Declarations);
        Assert.Equal((7UL, 0UL), (declaration.Deadline, declaration.Partition));
        Assert.Equal([22UL], declaration.Sectors);
        Assert.Equal(_node.WorkerKey, declared.From);
        // The stand-in refuses a declaration past the deadline's fault cutoff: exit 0 means it came in time.
        Assert.Equal(ExitCodes.Ok, _node.ReceiptOf(declared.MessageCid)!.Value.ExitCode);
        Assert.True(_node.ReceiptOf(declared.MessageCid)!.Value.Height < Deadline5Open + (2 * 60) - 70, "declared before deadline 7's fault cutoff");
        Assert.Equal([22UL], _node.FaultySectors);

        // The sector is readable again (a storage node holding it attaches): the next check declares it recovered.
        await _cluster.StartStorageNodeAsync("storage-back", [22], heldElsewhere: true);
        var recoveries = await loop.DeclareAheadAsync(open, timeout.Token);

        Assert.NotNull(recoveries);
        Assert.Empty(recoveries.Faults);
        var recovered = Assert.Single(_node.RecoveryDeclarations);
        var recovery = Assert.Single(recovered.Declarations);
        Assert.Equal((7UL, 0UL), (recovery.Deadline, recovery.Partition));
        Assert.Equal([22UL], recovery.Sectors);
        Assert.Equal(ExitCodes.Ok, _node.ReceiptOf(recovered.MessageCid)!.Value.ExitCode);
        Assert.Equal([22UL], _node.RecoveringSectors);
        Assert.Single(_node.FaultDeclarations); // nothing new was declared faulty
    }

    [Fact]
    public async Task The_running_loop_declares_the_deadline_after_next_as_each_deadline_opens()
    {
        _node.Activate(7, 0, 21, 22);
        await _cluster.StartStorageNodeAsync("storage", [21]);
        var loop = _cluster.Loop([21, 22]); // 22 is on no storage path at all
        var declared = new TaskCompletionSource<FaultDeclarations>(TaskCreationOptions.RunContinuationsAsynchronously);
        loop.Declared += d => declared.TrySetResult(d);
        _node.StartMining(TimeSpan.FromMilliseconds(150));

        using var timeout = new CancellationTokenSource(ProveTimeout);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        var running = loop.RunAsync(stop.Token);
        var declarations = await declared.Task.WaitAsync(timeout.Token);
        await stop.CancelAsync();
        await running;

        Assert.Equal(7, declarations.Deadline);
        Assert.Equal([22UL], declarations.Bad.Keys);
        Assert.Contains("no host holds its", declarations.Bad[22], StringComparison.Ordinal);
        var message = Assert.Single(_node.FaultDeclarations);
        Assert.Equal([22UL], Assert.Single(message.Declarations).Sectors);
        Assert.Equal([22UL], _node.FaultySectors);
    }

    [Fact]
    public async Task A_sector_unreadable_during_the_PoSt_is_skipped_and_the_PoSt_still_lands()
    {
        _node.Activate(5, 0, 11, 12);
        _node.Activate(5, 1, 13, 14);
        await _cluster.StartStorageNodeAsync("storage", [11, 13, 14]);
        var lost = await _cluster.StartStorageNodeAsync("storage-lost", [12]);
        await _cluster.StopAsync(lost);
        var loop = _cluster.Loop([11, 12, 13, 14]);
        var deadline = await _cluster.Miner.Proving.Chain.ProvingDeadlineAsync(PoStCluster.MinerId, CancellationToken.None);
        _node.StartMining(TimeSpan.FromMilliseconds(100));

        using var timeout = new CancellationTokenSource(ProveTimeout);
        var record = await loop.ProveBeforeCloseAsync(deadline, timeout.Token);

        Assert.NotNull(record);
        Assert.True(record.Outcome == "Succeeded", record.Error);
        Assert.Equal((3, 1), (record.Sectors, record.Skipped));
        var post = Assert.Single(_node.WindowPoSts);
        Assert.Equal([0UL, 1], post.Partitions.Select(p => p.Index));
        Assert.Equal([12UL], post.Partitions[0].Skipped);
        Assert.Empty(post.Partitions[1].Skipped);
        Assert.Equal(ExitCodes.Ok, _node.ReceiptOf(post.MessageCid)!.Value.ExitCode);
        // The actor records the skipped sector as a fault (record_skipped_faults); both partitions count as proven.
        Assert.Equal([12UL], _node.FaultySectors);
        Assert.Equal([0UL, 1], _node.ProvenPartitions.Where(p => p.Deadline == 5).Select(p => p.Partition).Order().ToArray());
    }

    [Fact]
    public async Task A_node_down_for_a_moment_is_retried_and_the_PoSt_lands_in_the_same_deadline()
    {
        _node.Activate(5, 0, 11, 12);
        await _cluster.StartStorageNodeAsync("storage", [11, 12]);
        var loop = _cluster.Loop([11, 12]);
        var deadline = await _cluster.Miner.Proving.Chain.ProvingDeadlineAsync(PoStCluster.MinerId, CancellationToken.None);
        await _node.SetDownAsync(true);
        _node.StartMining(TimeSpan.FromMilliseconds(100));

        using var timeout = new CancellationTokenSource(ProveTimeout);
        var proving = loop.ProveBeforeCloseAsync(deadline, timeout.Token);
        await _node.WaitUntilAsync(n => n.Height >= Deadline5Open + 10, timeout.Token);
        Assert.False(proving.IsCompleted);
        await _node.SetDownAsync(false);
        var record = await proving;

        Assert.NotNull(record);
        Assert.True(record.Outcome == "Succeeded", record.Error);
        var post = Assert.Single(_node.WindowPoSts);
        Assert.True(_node.ReceiptOf(post.MessageCid)!.Value.Height < deadline.Close);
        var timeline = await _cluster.Miner.Proving.History.LatestTimelineAsync(PoStTimelineEntry.WindowProof, 5, CancellationToken.None);
        Assert.Contains(timeline, e => e.Phase == "retry" && e.Detail!.Contains("did not answer", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_node_down_until_the_deadline_closes_is_retried_until_then_and_the_miss_is_recorded()
    {
        _node.Activate(5, 0, 11, 12);
        await _cluster.StartStorageNodeAsync("storage", [11, 12]);
        var loop = _cluster.Loop([11, 12]);
        var deadline = await _cluster.Miner.Proving.Chain.ProvingDeadlineAsync(PoStCluster.MinerId, CancellationToken.None);
        await _node.SetDownAsync(true);
        _node.StartMining(TimeSpan.FromMilliseconds(50));

        using var timeout = new CancellationTokenSource(ProveTimeout);
        var proving = loop.ProveBeforeCloseAsync(deadline, timeout.Token);
        await _node.WaitUntilAsync(n => n.Height > deadline.Close, timeout.Token);
        Assert.False(proving.IsCompleted, "the loop keeps trying while the node is down");
        await _node.SetDownAsync(false);
        var record = await proving;

        Assert.NotNull(record);
        Assert.Equal("Failed", record.Outcome);
        Assert.Contains($"deadline 5 closed at epoch {deadline.Close}", record.Error, StringComparison.Ordinal);
        Assert.Contains("unreachable", record.Error, StringComparison.Ordinal);
        Assert.Empty(_node.WindowPoSts);
        var last = Assert.Single(await _cluster.Miner.Proving.History.ListDeadlinesAsync(CancellationToken.None), d => d.Index == 5);
        Assert.Equal("Failed", last.Outcome);
    }

    [Fact]
    public async Task A_SubmitWindowedPoSt_failing_on_chain_is_recorded_with_its_exit_code()
    {
        _node.Activate(5, 0, 11, 12);
        await _cluster.StartStorageNodeAsync("storage", [11, 12]);
        var loop = _cluster.Loop([11, 12]);
        var deadline = await _cluster.Miner.Proving.Chain.ProvingDeadlineAsync(PoStCluster.MinerId, CancellationToken.None);
        _node.FailNext(MinerMethods.SubmitWindowedPoSt, 16); // ErrIllegalArgument
        _node.StartMining(TimeSpan.FromMilliseconds(100));

        using var timeout = new CancellationTokenSource(ProveTimeout);
        var record = await loop.ProveBeforeCloseAsync(deadline, timeout.Token);

        Assert.NotNull(record);
        Assert.Equal("Failed", record.Outcome);
        Assert.Contains("failed on chain: exit", record.Error, StringComparison.Ordinal);
        Assert.Contains("16", record.Error, StringComparison.Ordinal);
        var post = Assert.Single(_node.WindowPoSts);
        Assert.Equal(16L, _node.ReceiptOf(post.MessageCid)!.Value.ExitCode);
        var timeline = await _cluster.Miner.Proving.History.LatestTimelineAsync(PoStTimelineEntry.WindowProof, 5, CancellationToken.None);
        Assert.Equal("Failed", Assert.Single(timeline, e => e.Phase == "receipt").Outcome);
    }

    [Fact]
    public async Task A_window_worker_killed_mid_partition_ends_in_a_submitted_message()
    {
        _node.Activate(5, 0, 11, 12);
        _node.Activate(5, 1, 13, 14);
        await _cluster.StartStorageNodeAsync("storage", [11, 12, 13, 14]);
        var victim = _cluster.StartWindowWorkerProcess("wdpost-victim");
        await _cluster.StartWindowWorkerAsync("wdpost-survivor");
        await PoStCluster.WaitForPoStWorkersAsync(_cluster.Miner.Workers, _cluster.Miner.Proving.WindowScheduler, "wdpost-victim", "wdpost-survivor");
        await KilnProcesses.SignalAsync(victim, "STOP");
        var loop = _cluster.Loop([11, 12, 13, 14]);
        var deadline = await _cluster.Miner.Proving.Chain.ProvingDeadlineAsync(PoStCluster.MinerId, CancellationToken.None);
        _node.StartMining(TimeSpan.FromMilliseconds(100));

        using var timeout = new CancellationTokenSource(ProveTimeout);
        var proving = loop.ProveBeforeCloseAsync(deadline, timeout.Token);
        await ClusterFixture.JobsAsync(
            _cluster.Miner.Jobs,
            async () => (await _cluster.JobsAsync(TaskType.GenerateWindowPoSt)).Any(j => j.HostName == "wdpost-victim" && j.Outcome == JobOutcome.Running),
            "a partition started on the victim");
        victim.Kill(entireProcessTree: true);
        var record = await proving;

        Assert.NotNull(record);
        Assert.True(record.Outcome == "Succeeded", record.Error);
        var post = Assert.Single(_node.WindowPoSts);
        Assert.Equal([0UL, 1], post.Partitions.Select(p => p.Index));
        Assert.All(post.Partitions, p => Assert.Empty(p.Skipped));
        Assert.Equal(ExitCodes.Ok, _node.ReceiptOf(post.MessageCid)!.Value.ExitCode);
        var jobs = await _cluster.JobsAsync(TaskType.GenerateWindowPoSt);
        Assert.Contains(jobs, j => j.HostName == "wdpost-victim" && j.Outcome == JobOutcome.Failed);
        Assert.Equal(2, jobs.Count(j => j.HostName == "wdpost-survivor" && j.Outcome == JobOutcome.Succeeded));
    }
}
