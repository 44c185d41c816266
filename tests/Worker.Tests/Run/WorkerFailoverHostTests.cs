using Kiln.Api.Auth;
using Kiln.Proofs.Sdr;
using Kiln.Testing;
using Kiln.Worker.Run;
using Microsoft.Extensions.DependencyInjection;

namespace Kiln.Worker.Tests.Run;

/// <summary>
/// A worker host given two miners: when the current one stops answering its Session check (it accepts the call but
/// never replies, as a stopped or partitioned process does), the check times out after one poll interval on the
/// worker's clock and the worker registers with the other.
/// </summary>
public sealed class WorkerFailoverHostTests : IDisposable
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(7);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "kiln-failover-host-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_miner_that_stops_answering_is_left_after_one_poll_interval_for_the_next()
    {
        var first = SwitchableMiner.Create();
        var second = SwitchableMiner.Create();
        var failover = new MinerFailover([new ApiInfo("tok", "/ip4/10.0.0.1/tcp/2345/http"), new ApiInfo("tok", "/ip4/10.0.0.2/tcp/2345/http")], [first, second]);
        var clock = new WatchedTimeProvider(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var options = new WorkerOptions
        {
            Listen = "127.0.0.1:0",
            Name = "failover-host",
            RepoPath = Path.Combine(_dir, "repo"),
            NoLocalStorage = true,
            SessionPollInterval = Poll,
            HealthInterval = TimeSpan.FromSeconds(9),
            Snark = new Kiln.Proofs.Snark.SnarkProverOptions { UseInsecureTestProofs = true },
        };
        await using var host = await WorkerHost.StartAsync(
            options,
            new KilnWorkerConnection(failover.Addresses, new ParentCacheOptions { Directory = Path.Combine(_dir, "parents") }, _ => null),
            clock,
            services => services.AddSingleton(failover),
            CancellationToken.None);
        Assert.Equal(host.RpcUrl, await SwitchableMiner.Of(first).Connected.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Same(failover, host.Miners);

        SwitchableMiner.Of(first).State = MinerState.Hung;
        await clock.WaitForTimerAsync(Poll);
        clock.Advance(Poll);
        // The Session check is under way and gets no answer: it gives up one interval later.
        await clock.WaitForTimerAsync(Poll);
        Assert.Equal(0, failover.Current);
        Assert.False(SwitchableMiner.Of(second).Connected.IsCompleted);
        clock.Advance(Poll);

        Assert.Equal(host.RpcUrl, await SwitchableMiner.Of(second).Connected.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(1, failover.Current);
        Assert.Equal(SwitchableMiner.Of(second).Session, await host.Miner.SessionAsync(CancellationToken.None));
    }
}
