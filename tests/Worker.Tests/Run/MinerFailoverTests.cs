using Kiln.Api;
using Kiln.Api.Auth;
using Kiln.Worker.Run;
using Microsoft.Extensions.Time.Testing;

namespace Kiln.Worker.Tests.Run;

/// <summary>
/// <see cref="MinerFailover"/>: one miner at a time, the first that answers in list order; when it is gone, the next
/// that answers, round-robin and wrapping, passing over those that are down, hung or serve another actor.
/// </summary>
public sealed class MinerFailoverTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static MinerFailover Failover(params IMinerStorageApi[] miners) =>
        new([.. miners.Select((_, i) => new ApiInfo("tok", $"/ip4/10.0.0.{i + 1}/tcp/2345/http"))], miners);

    [Fact]
    public async Task The_worker_starts_with_the_first_miner_that_answers_in_list_order()
    {
        var miners = new[] { SwitchableMiner.Create(MinerState.Down), SwitchableMiner.Create(), SwitchableMiner.Create() };
        var failover = Failover(miners);
        var waited = new List<string>();

        await failover.FirstAnsweringAsync(TimeSpan.FromSeconds(1), new FakeTimeProvider(), (url, _) => waited.Add(url), None);

        Assert.Equal(1, failover.Current);
        Assert.Equal(["http://10.0.0.1:2345/rpc/v0"], waited);
        Assert.Empty(SwitchableMiner.Of(miners[2]).Calls);
        // Calls go to the current miner.
        Assert.Equal(SwitchableMiner.Of(miners[1]).Session, await failover.Api.SessionAsync(None));
    }

    [Fact]
    public async Task A_gone_miner_is_left_for_the_next_that_answers_round_robin_and_wrapping()
    {
        var miners = new[] { SwitchableMiner.Create(), SwitchableMiner.Create(), SwitchableMiner.Create() };
        var failover = Failover(miners);
        var moves = new List<(string From, string To, string Why)>();
        failover.Moved += (from, to, why) => moves.Add((from, to, why));
        var skipped = new List<string>();
        await failover.FirstAnsweringAsync(TimeSpan.FromSeconds(1), TimeProvider.System, (_, _) => { }, None);
        Assert.Equal(0, failover.Current);

        // 0 is gone and 1 is down too: 2 takes over.
        SwitchableMiner.Of(miners[0]).State = MinerState.Down;
        SwitchableMiner.Of(miners[1]).State = MinerState.Down;
        var session = await failover.NextAsync("t01000", "connection refused", Timeout, TimeProvider.System, (url, _) => skipped.Add(url), None);

        Assert.Equal(SwitchableMiner.Of(miners[2]).Session, session);
        Assert.Equal(2, failover.Current);
        Assert.Equal(["/ip4/10.0.0.2/tcp/2345/http"], skipped);
        Assert.Equal(("/ip4/10.0.0.1/tcp/2345/http", "/ip4/10.0.0.3/tcp/2345/http", "connection refused"), Assert.Single(moves));
        Assert.Equal(SwitchableMiner.Of(miners[2]).Session, await failover.Api.SessionAsync(None));

        // 2 is gone, 0 is back: the list wraps.
        SwitchableMiner.Of(miners[2]).State = MinerState.Down;
        SwitchableMiner.Of(miners[0]).State = MinerState.Up;
        session = await failover.NextAsync("t01000", "reset", Timeout, TimeProvider.System, (_, _) => { }, None);

        Assert.Equal(SwitchableMiner.Of(miners[0]).Session, session);
        Assert.Equal(0, failover.Current);
        Assert.Equal("/ip4/10.0.0.1/tcp/2345/http", failover.CurrentAddress);
        Assert.Equal(2, moves.Count);
    }

    [Fact]
    public async Task A_miner_of_another_actor_is_passed_over_and_with_no_other_answering_the_worker_stays()
    {
        var miners = new[] { SwitchableMiner.Create(), SwitchableMiner.Create(actor: "t01001") };
        var failover = Failover(miners);
        var reasons = new List<string>();
        var moved = false;
        failover.Moved += (_, _, _) => moved = true;

        var session = await failover.NextAsync("t01000", "gone", Timeout, TimeProvider.System, (_, reason) => reasons.Add(reason), None);

        Assert.Null(session);
        Assert.Equal(0, failover.Current);
        Assert.False(moved);
        Assert.Equal(["it serves miner t01001, this worker serves t01000"], reasons);
    }

    [Fact]
    public async Task A_hung_miner_is_passed_over_once_its_timeout_passes_on_the_workers_clock()
    {
        var miners = new[] { SwitchableMiner.Create(MinerState.Down), SwitchableMiner.Create(MinerState.Hung), SwitchableMiner.Create() };
        var failover = Failover(miners);
        var clock = new FakeTimeProvider();
        var reasons = new List<string>();

        var next = failover.NextAsync("t01000", "gone", Timeout, clock, (_, reason) => reasons.Add(reason), None);
        await SwitchableMiner.Of(miners[1]).Called.WaitAsync(TimeSpan.FromSeconds(30));
        clock.Advance(Timeout - TimeSpan.FromTicks(1));
        Assert.False(next.IsCompleted);
        clock.Advance(TimeSpan.FromTicks(1));

        Assert.Equal(SwitchableMiner.Of(miners[2]).Session, await next.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(2, failover.Current);
        Assert.Equal([$"no answer within {Timeout}"], reasons);
    }

    [Fact]
    public void One_miner_is_called_directly()
    {
        var miner = SwitchableMiner.Create();

        Assert.Same(miner, Failover(miner).Api);
    }
}
