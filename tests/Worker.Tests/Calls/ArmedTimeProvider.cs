using Microsoft.Extensions.Time.Testing;

namespace Kiln.Worker.Tests.Calls;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that tells when a timer is armed (created or changed with a due time), so a test
/// advances the clock only once the code under test is waiting on it.
/// </summary>
public sealed class ArmedTimeProvider : FakeTimeProvider
{
    private readonly SemaphoreSlim _armed = new(0);

    /// <summary>Waits (bounded) for the next timer armed and not yet waited for.</summary>
    public async Task NextTimerAsync() =>
        Assert.True(await _armed.WaitAsync(TimeSpan.FromSeconds(30)), "no timer was armed");

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new Watched(base.CreateTimer(callback, state, dueTime, period), _armed);
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            _armed.Release();
        }

        return timer;
    }

    private sealed class Watched(ITimer inner, SemaphoreSlim armed) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            var changed = inner.Change(dueTime, period);
            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                armed.Release();
            }

            return changed;
        }

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
