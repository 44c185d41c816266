using Kiln.Api.Types;
using Kiln.Miner.Jobs;
using Kiln.Miner.Sealing;
using Kiln.Proofs;
using Kiln.Proofs.Sdr.Pool;

namespace Kiln.Cluster.Tests;

/// <summary>A kiln-worker whose PC1 jobs share a label pool, under the miner's scheduling.</summary>
public sealed class PooledPipelineClusterTests : IAsyncLifetime
{
    private readonly ClusterFixture _cluster = new();

    public async Task InitializeAsync()
    {
        _cluster.MinerOptions.HoldSectorsAt = SectorState.PreCommit2;
        await _cluster.StartMinerAsync();
        await _cluster.StartWorkerAsync(o => o.LabelPool = new LabelPoolOptions { Enabled = true, Jobs = 2 });
        await ClusterFixture.WorkersAsync(_cluster.Miner.Workers, ws => ws.Count == 1, "the worker registers");
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Pc1_jobs_run_through_the_pool_and_the_miner_schedules_them_by_its_capacity()
    {
        var worker = _cluster.Worker!;
        var pool = Assert.IsType<LabelPool>(worker.Pool);
        Assert.Equal((3UL * 2 + 1) * 2048 / 2, pool.Layout.PoolSize);

        // The worker tells the miner the pool admits two PC1 jobs at once.
        var handle = Assert.Single(_cluster.Miner.Workers.Workers);
        var pc1 = handle.Info.Resources.Resources![TaskType.PreCommit1][RegisteredSealProof.StackedDrg2KiBV1_1];
        Assert.Equal(2, pc1.MaxConcurrent);

        for (var i = 0; i < 3; i++)
        {
            await _cluster.Miner.Pipeline.PledgeAsync(CancellationToken.None);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await _cluster.Miner.Pipeline.WaitIdleAsync(timeout.Token);
        var sectors = await _cluster.Miner.Pipeline.ListAsync(CancellationToken.None);
        Assert.Equal(3, sectors.Count);
        Assert.All(sectors, s => Assert.True(s.State == SectorState.PreCommit2, $"sector {s.Number}: {s.State} {s.Error}"));
        var jobs = await _cluster.Miner.Jobs.ListAsync(100, CancellationToken.None);
        Assert.Equal(3, jobs.Count(j => j.Task == TaskType.PreCommit1 && j.Outcome == JobOutcome.Succeeded));

        Assert.True(pool.HighWaterBlocks > pool.BlocksPerLayer, $"high water {pool.HighWaterBlocks} blocks");
        Assert.Equal(0, pool.BlocksInUse);
        Assert.Equal(0, pool.ActiveJobs);
    }
}
