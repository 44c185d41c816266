using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Kiln.Miner.Tests.Chain;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that reports each timer created on it, so a test advances the clock only once the
/// code under test is waiting on it (a retry delay, a poll interval) and never races it.
/// </summary>
internal sealed class TimerWatchingTimeProvider() : FakeTimeProvider(DateTimeOffset.UnixEpoch)
{
    private readonly Channel<TimeSpan> _timers = Channel.CreateUnbounded<TimeSpan>();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        _timers.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>Completes once a timer due in <paramref name="dueTime"/> has been created (timers due otherwise are passed over).</summary>
    public async Task TimerAsync(TimeSpan dueTime)
    {
        while (await _timers.Reader.ReadAsync() != dueTime)
        {
        }
    }
}
