using Kiln.Api.Auth;
using Kiln.Api.JsonRpc;
using Kiln.Miner.Proving;
using Kiln.Miner.Rpc;

namespace Kiln.Cluster.Tests;

/// <summary>
/// <c>kiln-miner devnet --fail-sector N</c> on the real read path: a PoSt worker reads vanilla proofs from a storage
/// node found through the miner's index, and the devnet miner's index refuses the failed sector's replica files, so the
/// worker skips it, <c>proving check</c> names it with the flag, and the admin toggle makes it readable again.
/// </summary>
public sealed class DevnetFailSectorTests(BenchSectorTemplate template) : IClassFixture<BenchSectorTemplate>, IAsyncLifetime
{
    private static readonly TimeSpan ProveTimeout = TimeSpan.FromSeconds(60);

    private PoStCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await PoStCluster.StartAsync(template);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_failed_sector_is_skipped_by_the_window_worker_named_by_proving_check_and_proven_again_once_turned_off()
    {
        var (deadline, numbers) = await _cluster.DeadlineSectorsAsync(4);
        await _cluster.StartStorageNodeAsync("storage", numbers);
        await _cluster.StartWindowWorkerAsync("wdpost");
        await PoStCluster.WaitForPoStWorkersAsync(_cluster.Miner.Workers, _cluster.Miner.Proving.WindowScheduler, "wdpost");
        var kiln = Kiln();

        Assert.Equal([3UL], await kiln.KilnDevnetFailSectorAsync(3, true, CancellationToken.None));

        using var timeout = new CancellationTokenSource(ProveTimeout);
        var randomness = await _cluster.Miner.Proving.Chain.WindowPoStRandomnessAsync(PoStCluster.MinerId, deadline, timeout.Token);
        var timeline = PoStTimeline.ForDeadline(deadline, TimeProvider.System);
        var outcome = await _cluster.Miner.Proving.WindowProver.ProveAsync(PoStCluster.MinerId, PoStCluster.Sectors(numbers), randomness, timeline, timeout.Token);

        Assert.False(outcome.Local);
        Assert.Equal([3UL], outcome.Skipped);
        Assert.Equal([1UL, 2, 4], outcome.Proven);
        var skip = Assert.Single(timeline.Entries, e => e.Phase == "skip");
        Assert.Equal("sectors 3 skipped: proving the batch again without them", skip.Detail);
        Assert.Contains(timeline.Entries, e => e.Phase == "partition" && e.Host == "wdpost" && e.Outcome == "Succeeded");
        Assert.True(await _cluster.VerifyWindowAsync(deadline, outcome));

        var bad = await _cluster.Miner.Proving.CheckProvableAsync(numbers, PoStCluster.Sectors(numbers), timeout.Token);
        Assert.Equal([3UL], bad.Keys);
        Assert.Contains("devnet --fail-sector 3", bad[3], StringComparison.Ordinal);
        Assert.Contains("s-t01000-3", bad[3], StringComparison.Ordinal);

        Assert.Empty(await kiln.KilnDevnetFailSectorAsync(3, false, CancellationToken.None));

        var healed = await _cluster.ProveWindowAsync(deadline, numbers, timeout.Token);
        Assert.Empty(healed.Skipped);
        Assert.Equal(numbers, healed.Proven);
        Assert.Empty(await _cluster.Miner.Proving.CheckProvableAsync(numbers, PoStCluster.Sectors(numbers), timeout.Token));
    }

    private IKilnMinerApi Kiln()
    {
        var token = _cluster.Miner.Repo.ReadToken();
        return RpcClient.Create(new ApiInfo(token, $"/ip4/127.0.0.1/tcp/{_cluster.Miner.RpcUrl.Port}/http").HttpUrl(), new RpcClientOptions { Token = token })
            .CreateProxy<IKilnMinerApi>();
    }
}
