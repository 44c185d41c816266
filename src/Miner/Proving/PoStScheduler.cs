using Kiln.Api.Types;
using Kiln.Miner.Workers;

namespace Kiln.Miner.Proving;

/// <summary>
/// The PoSt worker scheduler of one kind (Lotus storage/sealer/sched_post.go; one instance for Window PoSt, one for
/// Winning PoSt). Workers come from the registry's connect and leave with its removal; the registry's Session
/// heartbeat enables and disables them. <see cref="ScheduleAsync"/> runs work on one worker with per-worker
/// in-flight accounting: primary work waits for a free worker, non-primary work takes a random free one or fails
/// at once.
/// </summary>
public sealed partial class PoStScheduler
{
    private static readonly TimeSpan RecheckInterval = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, Slot> _workers = [];
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _maxInFlight;
    private TaskCompletionSource _changed = NewSignal();

    public PoStScheduler(WorkerKind kind, TimeProvider time, ILogger<PoStScheduler> logger, int maxInFlightPerWorker = ProvingOptions.DefaultMaxPartitionsPerWorker)
    {
        if (kind == WorkerKind.Sealing)
        {
            throw new ArgumentException("a PoSt scheduler is for window or winning PoSt workers", nameof(kind));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxInFlightPerWorker, 1);
        Kind = kind;
        _time = time;
        _logger = logger;
        _maxInFlight = maxInFlightPerWorker;
    }

    public WorkerKind Kind { get; }

    /// <summary>The task these workers run: post/v0/windowproof or post/v0/winningproof.</summary>
    public TaskType Task => Kind == WorkerKind.WindowPoSt ? TaskType.GenerateWindowPoSt : TaskType.GenerateWinningPoSt;

    /// <summary>True when at least one enabled worker is registered (Lotus CanSched): otherwise the miner proves locally.</summary>
    public bool CanSchedule
    {
        get
        {
            lock (_lock)
            {
                return _workers.Values.Any(s => s.Worker.Enabled);
            }
        }
    }

    /// <summary>Subscribes to <paramref name="registry"/>: its workers of this kind are added on connect and dropped on removal.</summary>
    public void Attach(WorkerRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.Connected += w => AddWorker(w);
        registry.Removed += w => RemoveWorker(w.Id);
        foreach (var w in registry.Workers)
        {
            AddWorker(w);
        }
    }

    /// <summary>Adds a worker whose kind matches; returns false for other workers and ones already known.</summary>
    public bool AddWorker(WorkerHandle worker)
    {
        ArgumentNullException.ThrowIfNull(worker);
        if (worker.Kind != Kind)
        {
            return false;
        }

        lock (_lock)
        {
            if (!_workers.TryAdd(worker.Id, new Slot(worker)))
            {
                return false;
            }
        }

        Log.Added(_logger, Task, worker.Id, worker.Info.Hostname);
        Signal();
        return true;
    }

    public bool RemoveWorker(Guid id)
    {
        bool removed;
        lock (_lock)
        {
            removed = _workers.Remove(id);
        }

        if (removed)
        {
            Log.Dropped(_logger, Task, id);
            Signal();
        }

        return removed;
    }

    public IReadOnlyList<PoStWorkerStats> WorkerStats()
    {
        lock (_lock)
        {
            return [.. _workers.Values
                .OrderBy(s => s.Worker.Connected)
                .Select(s => new PoStWorkerStats(s.Worker.Id, s.Worker.Info.Hostname, TaskTypes.Id(Task), s.Worker.Enabled, s.InFlight, _maxInFlight, s.Completed, s.Failed))];
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> on one enabled worker with a free slot. <paramref name="primary"/> waits for
    /// one; otherwise a random free worker is taken or the call fails at once ("can't find … post worker").
    /// Workers in <paramref name="avoid"/> (ones that just failed this work) are taken only when no other
    /// enabled worker exists.
    /// </summary>
    public async Task<T> ScheduleAsync<T>(bool primary, Func<WorkerHandle, CancellationToken, Task<T>> work, CancellationToken cancellationToken, IReadOnlySet<Guid>? avoid = null)
    {
        ArgumentNullException.ThrowIfNull(work);
        Slot slot;
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                var picked = Pick(avoid);
                if (picked != null)
                {
                    slot = picked;
                    slot.InFlight++;
                    break;
                }

                changed = _changed.Task;
            }

            if (!primary)
            {
                throw new PoStException($"can't find {TaskTypes.Id(Task)} post worker", isRetryable: true);
            }

            // Enable/disable flips come from the heartbeat without a signal: look again every so often.
            await System.Threading.Tasks.Task.WhenAny(changed, System.Threading.Tasks.Task.Delay(RecheckInterval, _time, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }

        var ok = false;
        try
        {
            var result = await work(slot.Worker, cancellationToken).ConfigureAwait(false);
            ok = true;
            return result;
        }
        finally
        {
            lock (_lock)
            {
                slot.InFlight--;
                if (ok)
                {
                    slot.Completed++;
                }
                else
                {
                    slot.Failed++;
                }
            }

            Signal();
        }
    }

    private Slot? Pick(IReadOnlySet<Guid>? avoid)
    {
        var free = _workers.Values.Where(s => s.Worker.Enabled && s.InFlight < _maxInFlight).ToList();
        if (avoid is { Count: > 0 } && _workers.Values.Any(s => s.Worker.Enabled && !avoid.Contains(s.Worker.Id)))
        {
            free.RemoveAll(s => avoid.Contains(s.Worker.Id));
        }

        if (free.Count == 0)
        {
            return null;
        }

        // Least loaded first, random among equals (Lotus picks PoSt workers in random order).
        var least = free.Min(s => s.InFlight);
        var candidates = free.Where(s => s.InFlight == least).ToList();
        return candidates[Random.Shared.Next(candidates.Count)];
    }

    private void Signal()
    {
        TaskCompletionSource old;
        lock (_lock)
        {
            old = _changed;
            _changed = NewSignal();
        }

        old.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class Slot(WorkerHandle worker)
    {
        public WorkerHandle Worker { get; } = worker;

        public int InFlight { get; set; }

        public long Completed { get; set; }

        public long Failed { get; set; }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 6001, EventName = "PoStWorkerAdded", Level = LogLevel.Information, Message = "{Task} scheduler: worker {Id} on {Host} added")]
        public static partial void Added(ILogger logger, TaskType task, Guid id, string host);

        [LoggerMessage(EventId = 6002, EventName = "PoStWorkerDropped", Level = LogLevel.Information, Message = "{Task} scheduler: worker {Id} dropped")]
        public static partial void Dropped(ILogger logger, TaskType task, Guid id);
    }
}
