using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Kiln.Testing;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that also reports every timer the code under test sets (a
/// <c>Task.Delay</c> on it, a <see cref="CancellationTokenSource"/> timing out on it, <see cref="TimeProvider.CreateTimer"/>),
/// so a test moves the clock only once the timer it means to fire exists, instead of advancing too early and
/// losing the tick.
/// </summary>
public sealed class WatchedTimeProvider : FakeTimeProvider
{
    /// <summary>How long a test waits for the code under test to set a timer before failing.</summary>
    public static readonly TimeSpan DefaultPatience = TimeSpan.FromSeconds(30);

    private readonly Channel<TimeSpan> _set = Channel.CreateUnbounded<TimeSpan>();

    /// <summary>A clock at <see cref="FakeTimeProvider"/>'s default start.</summary>
    public WatchedTimeProvider()
    {
    }

    /// <summary>A clock at <paramref name="start"/>.</summary>
    public WatchedTimeProvider(DateTimeOffset start)
        : base(start)
    {
    }

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        _set.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>
    /// Completes once a timer due <paramref name="dueTime"/> after it was set has been set; each timer is seen by
    /// one wait only, so a second call waits for the next such timer.
    /// </summary>
    public async Task WaitForTimerAsync(TimeSpan dueTime, TimeSpan? patience = null)
    {
        var bound = patience ?? DefaultPatience;
        using var cts = new CancellationTokenSource(bound);
        try
        {
            while (await _set.Reader.ReadAsync(cts.Token) != dueTime)
            {
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"no timer due in {dueTime} was set within {bound}");
        }
    }
}
