using Kiln.Api.Types;

namespace Kiln.Miner.Scheduling;

/// <summary>
/// The scheduler's view of one worker (Lotus's sched_worker): the resources of the tasks running on it,
/// its open windows, and the assigned requests waiting for room, in scheduling order. Guarded by the
/// scheduler's lock.
/// </summary>
internal sealed class WorkerLane(int windows)
{
    private readonly List<Waiter> _waiting = [];

    public ActiveResources Active { get; } = new();

    /// <summary>Windows the scheduler may fill in its next pass.</summary>
    public int OpenWindows { get; set; } = windows;

    /// <summary>Requests assigned here that wait for room.</summary>
    public int Waiting => _waiting.Count;

    /// <summary>
    /// Takes <paramref name="need"/> at once when nothing earlier waits and it fits, else queues behind the
    /// earlier waiters; the task completes when the resources are taken.
    /// </summary>
    public Task AcquireAsync(Resources need, TaskType task, WorkerInfo info, (int Order, ulong Sector, long Sequence) rank, CancellationToken ct)
    {
        if (_waiting.Count == 0 && Active.CanHandle(need, task, info))
        {
            Active.Add(need, task, info);
            return Task.CompletedTask;
        }

        var waiter = new Waiter(need, task, info, rank, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        var at = _waiting.FindIndex(w => w.Rank.CompareTo(rank) > 0);
        _waiting.Insert(at < 0 ? _waiting.Count : at, waiter);
        if (ct.CanBeCanceled)
        {
            ct.Register(() => waiter.Done.TrySetCanceled(ct));
        }

        return waiter.Done.Task;
    }

    /// <summary>Gives back a finished task's resources and starts, in order, every waiter that now fits.</summary>
    public void Release(Resources need, TaskType task, WorkerInfo info)
    {
        Active.Remove(need, task, info);
        Grant();
    }

    /// <summary>Starts the waiters that fit now (and forgets cancelled ones).</summary>
    public void Grant()
    {
        for (var i = 0; i < _waiting.Count;)
        {
            var w = _waiting[i];
            if (w.Done.Task.IsCompleted)
            {
                _waiting.RemoveAt(i);
                continue;
            }

            if (Active.CanHandle(w.Need, w.Task, w.Info))
            {
                _waiting.RemoveAt(i);
                if (w.Done.TrySetResult())
                {
                    // only a waiter that was not cancelled meanwhile takes the resources
                    Active.Add(w.Need, w.Task, w.Info);
                }

                continue;
            }

            i++;
        }
    }

    private sealed record Waiter(Resources Need, TaskType Task, WorkerInfo Info, (int Order, ulong Sector, long Sequence) Rank, TaskCompletionSource Done);
}
