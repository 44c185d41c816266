using System.Numerics;
using System.Threading.Channels;
using Kiln.Miner.Mining;
using Microsoft.Extensions.Time.Testing;

namespace Kiln.Miner.Tests.Mining;

/// <summary>
/// Lotus's null rounds (miner.go mine: base.NullRounds++ and wait for the next round's time): when a round makes no
/// block and the next epoch's time passes with the same head, the next round is mined on the same base one null
/// round further; a new head starts again at zero null rounds.
/// </summary>
public sealed class NullRoundTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private FakeTimeProvider _time = null!;
    private MiningFixture _f = null!;

    public async Task InitializeAsync()
    {
        // The stand-in's blocks are stamped 1,700,000,000 + 4 s × height; its head starts at 1000.
        _time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000 + (1000 * 4) + 1));
        _f = await MiningFixture.StartAsync(new MiningOptions { PropagationDelay = TimeSpan.Zero, MineNullRounds = true }, _time);
    }

    public async Task DisposeAsync() => await _f.DisposeAsync();

    [Fact]
    public async Task A_lost_round_is_followed_at_the_next_epochs_time_by_a_round_one_null_round_further_on_the_same_base()
    {
        _f.Node.MinerPower = 1;
        _f.Node.NetworkPower = BigInteger.Pow(10, 30); // never wins: every round is followed by a null round
        var rounds = Channel.CreateUnbounded<MiningRound>();
        _f.Loop.RoundCompleted += r => rounds.Writer.TryWrite(r);
        using var stop = new CancellationTokenSource();
        var run = _f.Loop.RunAsync(TimeSpan.FromMilliseconds(20), stop.Token);

        var first = await rounds.Reader.ReadAsync().AsTask().WaitAsync(Patience);
        Assert.Equal((1001L, 1000L, 0L, MiningRoundOutcome.Lost), (first.Round, first.BaseHeight, first.NullRounds, first.Outcome));

        // The next epoch's time (block time 4 s after the base) passes, the head stays: round 1002 on base 1000.
        _time.Advance(TimeSpan.FromSeconds(4));
        var nullRound = await rounds.Reader.ReadAsync().AsTask().WaitAsync(Patience);
        Assert.Equal((1002L, 1000L, 1L), (nullRound.Round, nullRound.BaseHeight, nullRound.NullRounds));

        // A new head: back to zero null rounds.
        await _f.Node.MineAsync();
        _time.Advance(TimeSpan.FromMilliseconds(20));
        var next = await rounds.Reader.ReadAsync().AsTask().WaitAsync(Patience);
        Assert.Equal((1002L, 1001L, 0L), (next.Round, next.BaseHeight, next.NullRounds));
        Assert.Equal([1001L, 1002L, 1002L], _f.Node.BaseInfoCalls.Select(c => c.Epoch));

        await stop.CancelAsync();
        await run.WaitAsync(Patience);
    }
}
