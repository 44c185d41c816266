using Kiln.Api.Types;
using Kiln.Miner.Jobs;
using Kiln.Miner.Sealing;

namespace Kiln.Cluster.Tests;

/// <summary>A kiln-worker that labels PC1 jobs starting together as one batch (KILN_PC1_BATCH), under the miner's scheduling.</summary>
public sealed class BatchedPipelineClusterTests : IAsyncLifetime
{
    private readonly ClusterFixture _cluster = new();

    public async Task InitializeAsync()
    {
        _cluster.MinerOptions.HoldSectorsAt = SectorState.PreCommit2;
        await _cluster.StartMinerAsync();
        await _cluster.StartWorkerAsync(o =>
        {
            o.Pc1Batch = 2;
            o.Pc1BatchWait = TimeSpan.FromSeconds(30);
        });
        await ClusterFixture.WorkersAsync(_cluster.Miner.Workers, ws => ws.Count == 1, "the worker registers");
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Two_pledged_sectors_are_labeled_in_one_batch()
    {
        await _cluster.Miner.Pipeline.PledgeAsync(CancellationToken.None);
        await _cluster.Miner.Pipeline.PledgeAsync(CancellationToken.None);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await _cluster.Miner.Pipeline.WaitIdleAsync(timeout.Token);
        var sectors = await _cluster.Miner.Pipeline.ListAsync(CancellationToken.None);
        Assert.All(sectors, s => Assert.True(s.State == SectorState.PreCommit2, $"sector {s.Number}: {s.State} {s.Error}"));
        var jobs = await _cluster.Miner.Jobs.ListAsync(100, CancellationToken.None);
        Assert.Equal(2, jobs.Count(j => j.Task == TaskType.PreCommit1 && j.Outcome == JobOutcome.Succeeded));

        // The second PC1 filled the batch, so neither waited out the 30 s gather time.
        Assert.Equal(1, _cluster.Worker!.Batcher!.Batches);
        Assert.All(jobs.Where(j => j.Task == TaskType.PreCommit1), j => Assert.True(j.Duration < TimeSpan.FromSeconds(25), $"PC1 took {j.Duration}"));
    }
}
