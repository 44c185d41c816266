using System.Security.Cryptography;
using Kiln.Api.Types;
using Kiln.Miner.Sealing;

namespace Kiln.Cluster.Tests;

/// <summary>
/// End to end: a lost sectors database must not make the next pledge reuse the number of a proven
/// sector (numbers came from MAX(number) of that file alone) nor rewrite any of its files.
/// </summary>
public sealed class SectorSafetyClusterTests : IAsyncLifetime
{
    private readonly ClusterFixture _cluster = new();

    public async Task InitializeAsync()
    {
        await _cluster.StartMinerAsync();
        await _cluster.StartWorkerAsync();
        await ClusterFixture.WorkersAsync(_cluster.Miner.Workers, ws => ws.Count == 1, "the worker registers");
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    /// <summary>Every file of sector <paramref name="number"/> under the worker's repo, with its length and SHA-256.</summary>
    private Dictionary<string, string> Files(ulong number) =>
        Directory.GetFiles(_cluster.WorkerRepoPath, "*", SearchOption.AllDirectories)
            .Where(f => f.Contains($"s-t01000-{number}", StringComparison.Ordinal) && !f.Contains("fetching", StringComparison.Ordinal))
            .ToDictionary(f => f, f => $"{new FileInfo(f).Length}:{Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))}:{File.GetLastWriteTimeUtc(f).Ticks}");

    [Fact]
    public async Task A_pledge_after_the_sectors_database_is_lost_takes_a_new_number_and_no_existing_sector_file_is_touched()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        Assert.Equal(1UL, (await _cluster.Miner.Pipeline.PledgeAsync(CancellationToken.None)).Number);
        await _cluster.Miner.Pipeline.WaitIdleAsync(timeout.Token);
        var proven = Assert.Single(await _cluster.Miner.Pipeline.ListAsync(CancellationToken.None));
        Assert.True(proven.State == SectorState.Proving, $"{proven.State}: {proven.Error}");
        var before = Files(1);
        Assert.Contains(before.Keys, f => f.EndsWith(Path.Combine("sealed", "s-t01000-1"), StringComparison.Ordinal));
        Assert.Contains(before.Keys, f => f.EndsWith("p_aux", StringComparison.Ordinal));

        // The operator's accident: sectors.sqlite is gone; the index (and the files) are not.
        await _cluster.StopMinerAsync();
        var db = _cluster.Miner.Repo.Database("sectors");
        foreach (var f in new[] { db, db + "-wal", db + "-shm" })
        {
            File.Delete(f);
        }

        await _cluster.StartMinerAsync();
        Assert.Empty(await _cluster.Miner.Pipeline.ListAsync(CancellationToken.None));
        await ClusterFixture.WorkersAsync(_cluster.Miner.Workers, ws => ws.Count == 1, "the worker to register again");

        var next = await _cluster.Miner.Pipeline.PledgeAsync(CancellationToken.None);
        Assert.Equal(2UL, next.Number);
        await _cluster.Miner.Pipeline.WaitIdleAsync(timeout.Token);
        var sealedNext = Assert.Single(await _cluster.Miner.Pipeline.ListAsync(CancellationToken.None));
        Assert.True(sealedNext.State == SectorState.Proving, $"{sealedNext.State}: {sealedNext.Error}");

        Assert.Equal(before, Files(1));
        Assert.Single(await _cluster.Miner.Api.StorageFindSectorAsync(new SectorId(1000, 1), SectorFileType.Sealed, 2048, false, CancellationToken.None));
        Assert.Single(await _cluster.Miner.Api.StorageFindSectorAsync(new SectorId(1000, 2), SectorFileType.Sealed, 2048, false, CancellationToken.None));
    }

    [Fact]
    public async Task Retry_runs_the_failed_step_again_and_abort_ends_a_sector_without_freeing_its_number()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var pipeline = _cluster.Miner.Pipeline;
        _cluster.MinerOptions.HoldSectorsAt = SectorState.PreCommit2;
        await pipeline.PledgeAsync(CancellationToken.None);
        await pipeline.WaitIdleAsync(timeout.Token);
        Assert.Equal(SectorState.PreCommit2, (await pipeline.GetAsync(1, CancellationToken.None))!.State);

        // Failed in PreCommit2 (forced, as update-state does); retry resumes exactly there and the sector is sealed.
        await pipeline.UpdateStateAsync(1, SectorState.Failed, CancellationToken.None);
        var failed = (await pipeline.GetAsync(1, CancellationToken.None))!;
        Assert.Equal(SectorState.PreCommit2, failed.FailedIn);
        Assert.Equal("PreCommit2: failed by the operator (sectors update-state)", failed.Error);
        var missing = await Assert.ThrowsAsync<SectorNotFoundException>(() => pipeline.AbortAsync(99, CancellationToken.None));
        Assert.Equal("sector 99 not found", missing.Message);
        _cluster.MinerOptions.HoldSectorsAt = null;
        Assert.Equal(SectorState.PreCommit2, await pipeline.RetryAsync(1, CancellationToken.None));
        await pipeline.WaitIdleAsync(timeout.Token);
        var proven = (await pipeline.GetAsync(1, CancellationToken.None))!;
        Assert.True(proven.State == SectorState.Proving, $"{proven.State}: {proven.Error}");
        Assert.Null(proven.Error);

        var again = await Assert.ThrowsAsync<InvalidOperationException>(() => pipeline.RetryAsync(1, CancellationToken.None));
        Assert.Equal("sector 1 is Proving, not Failed: only a failed sector can be retried", again.Message);
        var proving = await Assert.ThrowsAsync<InvalidOperationException>(() => pipeline.AbortAsync(1, CancellationToken.None));
        Assert.StartsWith("sector 1 is Proving", proving.Message, StringComparison.Ordinal);

        // A sector held before PC1 is aborted: Removed, not resumed by a restart, and its number not reused.
        _cluster.MinerOptions.HoldSectorsAt = SectorState.PreCommit1;
        Assert.Equal(2UL, (await pipeline.PledgeAsync(CancellationToken.None)).Number);
        await pipeline.WaitIdleAsync(timeout.Token);
        await pipeline.AbortAsync(2, CancellationToken.None);
        _cluster.MinerOptions.HoldSectorsAt = null;
        await _cluster.StopMinerAsync();
        await _cluster.StartMinerAsync();
        pipeline = _cluster.Miner.Pipeline;
        await pipeline.WaitIdleAsync(timeout.Token);
        var removed = (await pipeline.GetAsync(2, CancellationToken.None))!;
        Assert.Equal(SectorState.Removed, removed.State);
        Assert.Equal("removed by the operator (sectors abort)", removed.Error);
        Assert.Equal(3UL, (await pipeline.PledgeAsync(CancellationToken.None)).Number);
    }
}
