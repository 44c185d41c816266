using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Kiln.Testing;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that also reports every timer the code under test sets (a
/// <c>Task.Delay</c> on it, a <see cref="CancellationTokenSource"/> timing out on it, <see cref="TimeProvider.CreateTimer"/>)
/// and every such timer it disposes, so a test moves the clock only once the timer it means to fire exists (instead
/// of advancing too early and losing the tick), and learns when the code is done with one.
/// </summary>
public sealed class WatchedTimeProvider : FakeTimeProvider
{
    /// <summary>How long a test waits for the code under test to set or drop a timer before failing.</summary>
    public static readonly TimeSpan DefaultPatience = TimeSpan.FromSeconds(30);

    private readonly Channel<TimeSpan> _set = Channel.CreateUnbounded<TimeSpan>();
    private readonly Channel<TimeSpan> _disposed = Channel.CreateUnbounded<TimeSpan>();

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
        var timer = new WatchedTimer(base.CreateTimer(callback, state, dueTime, period), dueTime, _disposed.Writer);
        _set.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>
    /// Completes once a timer due <paramref name="dueTime"/> after it was set has been set; each timer is seen by
    /// one wait only, so a second call waits for the next such timer.
    /// </summary>
    public Task WaitForTimerAsync(TimeSpan dueTime, TimeSpan? patience = null) => WaitForAsync(_set.Reader, dueTime, "set", patience);

    /// <summary>Completes once a timer that was set due <paramref name="dueTime"/> has been disposed (each disposal seen once).</summary>
    public Task WaitForTimerDisposedAsync(TimeSpan dueTime, TimeSpan? patience = null) => WaitForAsync(_disposed.Reader, dueTime, "disposed", patience);

    private static async Task WaitForAsync(ChannelReader<TimeSpan> events, TimeSpan dueTime, string what, TimeSpan? patience)
    {
        var bound = patience ?? DefaultPatience;
        using var cts = new CancellationTokenSource(bound);
        try
        {
            while (await events.ReadAsync(cts.Token) != dueTime)
            {
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"no timer due in {dueTime} was {what} within {bound}");
        }
    }

    /// <summary>The fake clock's timer, reporting its first disposal.</summary>
    private sealed class WatchedTimer(ITimer inner, TimeSpan setDue, ChannelWriter<TimeSpan> disposed) : ITimer
    {
        private int _disposed;

        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(dueTime, period);

        public void Dispose()
        {
            inner.Dispose();
            Report();
        }

        public async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync();
            Report();
        }

        private void Report()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                disposed.TryWrite(setDue);
            }
        }
    }
}
