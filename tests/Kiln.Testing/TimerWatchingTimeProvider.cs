using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace Kiln.Testing;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that tells a test when code under test starts a timer of a given due time (a retry
/// delay, a heartbeat), so the test advances the clock exactly when the timer exists: no sleeps, no polling.
/// </summary>
public sealed class TimerWatchingTimeProvider : FakeTimeProvider
{
    private readonly ConcurrentDictionary<TimeSpan, TaskCompletionSource> _watches = new();

    /// <summary>Completes once a timer (or Task.Delay) due after <paramref name="dueTime"/> is created; one watch per due time.</summary>
    public Task TimerCreated(TimeSpan dueTime) =>
        _watches.GetOrAdd(dueTime, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>Forgets the watch of <paramref name="dueTime"/>, so the next <see cref="TimerCreated"/> waits for a new timer.</summary>
    public void Rearm(TimeSpan dueTime) => _watches.TryRemove(dueTime, out _);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        _watches.GetOrAdd(dueTime, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        return timer;
    }
}
