using System.Threading.Channels;

namespace Kiln.Testing;

/// <summary>
/// Waits for a condition that changes only when an event fires: the condition is checked now, then again after each
/// time the event was raised, until it holds or the patience runs out. No polling: between events nothing runs.
/// </summary>
public static class EventWait
{
    /// <summary>How long a wait lasts by default before it fails.</summary>
    public static readonly TimeSpan DefaultPatience = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Subscribes with <paramref name="subscribe"/>, then waits until <paramref name="condition"/> holds, re-checking
    /// it after each event; throws <see cref="TimeoutException"/> naming <paramref name="what"/> when it never does.
    /// </summary>
    /// <param name="subscribe">Adds the handler to the event (<c>h =&gt; source.Changed += h</c>).</param>
    /// <param name="unsubscribe">Removes it again (<c>h =&gt; source.Changed -= h</c>).</param>
    /// <param name="condition">What the test waits for; called on the test's thread, never from the event.</param>
    /// <param name="what">What is awaited, for the failure message.</param>
    /// <param name="patience">How long to wait (default 20 s).</param>
    public static async Task UntilAsync(Action<Action> subscribe, Action<Action> unsubscribe, Func<Task<bool>> condition, string what, TimeSpan? patience = null)
    {
        ArgumentNullException.ThrowIfNull(subscribe);
        ArgumentNullException.ThrowIfNull(unsubscribe);
        ArgumentNullException.ThrowIfNull(condition);

        // A channel, not a semaphore: a handler that runs after the wait ended must not touch anything disposed.
        var changed = Channel.CreateUnbounded<bool>(new UnboundedChannelOptions { SingleReader = true });
        void Changed() => changed.Writer.TryWrite(true);
        subscribe(Changed);
        try
        {
            var bound = patience ?? DefaultPatience;
            using var timeout = new CancellationTokenSource(bound);
            while (!await condition())
            {
                try
                {
                    await changed.Reader.ReadAsync(timeout.Token);
                }
                catch (OperationCanceledException) when (timeout.IsCancellationRequested)
                {
                    throw new TimeoutException($"timed out after {bound} waiting for {what}");
                }

                // Events that came together need one more check, not one each.
                while (changed.Reader.TryRead(out _))
                {
                }
            }
        }
        finally
        {
            unsubscribe(Changed);
        }
    }

    /// <summary>As <see cref="UntilAsync(Action{Action}, Action{Action}, Func{Task{bool}}, string, TimeSpan?)"/> with a synchronous condition.</summary>
    public static Task UntilAsync(Action<Action> subscribe, Action<Action> unsubscribe, Func<bool> condition, string what, TimeSpan? patience = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return UntilAsync(subscribe, unsubscribe, () => Task.FromResult(condition()), what, patience);
    }
}
