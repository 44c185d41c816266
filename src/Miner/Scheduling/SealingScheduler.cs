using Kiln.Api.Types;
using Kiln.Miner.Workers;
using Kiln.Proofs;

namespace Kiln.Miner.Scheduling;

/// <summary>
/// The sealing scheduler: requests wait in a queue ordered as Lotus orders them (task order — finalize
/// before new pieces — then sector number); each pass puts every request, in that order, into an open
/// window of the best enabled sealing worker that the request's selector accepts (Lotus's windows: each
/// worker keeps <see cref="SchedulerOptions.Windows"/> of them, each holding up to one worker's worth of
/// resources). On the worker the request's prepare step (the fetch of its data, at most
/// <see cref="SchedulerOptions.ParallelFetchLimit"/> at once across the miner) runs right away, then it
/// waits until the tasks running there leave room by Lotus's admission rule, runs, and gives the
/// resources back.
/// </summary>
public sealed partial class SealingScheduler
{
    private readonly WorkerRegistry workers;
    private readonly TimeProvider time;
    private readonly ILogger<SealingScheduler> logger;
    private readonly SchedulerOptions _options;
    private readonly SemaphoreSlim _fetches;
    private readonly MinerMetrics? _metrics;

    /// <summary>A scheduler over <paramref name="workers"/>; with <paramref name="metrics"/>, its queue, fetches and pass times are reported there.</summary>
    public SealingScheduler(WorkerRegistry workers, TimeProvider time, ILogger<SealingScheduler> logger, SchedulerOptions? options = null, MinerMetrics? metrics = null)
    {
        this.workers = workers;
        this.time = time;
        this.logger = logger;
        _options = options ?? new SchedulerOptions();
        _options.Validate();
        _fetches = new SemaphoreSlim(_options.ParallelFetchLimit, _options.ParallelFetchLimit);
        _metrics = metrics;
        metrics?.Observe(this);
        // A removed worker's lane goes with it (work still running on it holds its own reference and fails with 101).
        workers.Removed += w =>
        {
            lock (_lock)
            {
                _lanes.Remove(w.Id);
            }
        };
    }

    /// <summary>Longest time between two passes when nothing wakes the scheduler.</summary>
    public static readonly TimeSpan PassInterval = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private readonly List<Request> _queue = [];
    private readonly Dictionary<Guid, WorkerLane> _lanes = [];
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);
    private long _sequence;

    /// <summary>
    /// Raised after a request joined or left the queue (queued, cancelled, or assigned to a worker), outside the
    /// scheduler's lock; <see cref="QueueLength"/> then reads the new length. Handlers must not block.
    /// </summary>
    public event Action? QueueChanged;

    /// <summary>Requests waiting for a worker.</summary>
    public int QueueLength
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Prepare steps (fetches) running now, across all workers.</summary>
    public int FetchesRunning => _options.ParallelFetchLimit - _fetches.CurrentCount;

    /// <summary>Requests assigned to a worker's window that wait there for room.</summary>
    public int Assigned(Guid worker)
    {
        lock (_lock)
        {
            return _lanes.TryGetValue(worker, out var lane) ? lane.Waiting : 0;
        }
    }

    /// <summary>Resources in use on a worker by its running tasks (sealing workers only).</summary>
    public ActiveResources Active(Guid worker)
    {
        lock (_lock)
        {
            return _lanes.TryGetValue(worker, out var lane) ? lane.Active.Clone() : new ActiveResources();
        }
    }

    /// <summary>Queues a task; <paramref name="work"/> runs on the chosen worker once it fits, and its result is returned.</summary>
    public Task<T> ScheduleAsync<T>(SectorRef sector, TaskType task, IWorkerSelector selector, Func<WorkerHandle, CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        ScheduleAsync(sector, task, selector, null, work, cancellationToken);

    /// <summary>
    /// Queues a task with a prepare step (Lotus's <c>prepare</c>, e.g. fetching the sector's data to the
    /// worker) that runs as soon as the task is assigned, under the miner-wide fetch limit, before the
    /// task waits for the worker's resources.
    /// </summary>
    public Task<T> ScheduleAsync<T>(SectorRef sector, TaskType task, IWorkerSelector selector, Func<WorkerHandle, CancellationToken, Task>? prepare, Func<WorkerHandle, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        if (!TaskTypes.IsKnown(task))
        {
            // A worker may advertise a newer Lotus's task type; the miner never schedules one it does not know.
            throw new ArgumentException($"sector {sector.ID.Number}: cannot schedule unknown task type {TaskTypes.Id(task)}", nameof(task));
        }

        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var request = new Request(sector, task, selector, Interlocked.Increment(ref _sequence), cancellationToken, prepare, async w =>
        {
            done.TrySetResult(await work(w, cancellationToken).ConfigureAwait(false));
        }, e =>
        {
            if (e is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                done.TrySetCanceled(cancellationToken);
            }
            else
            {
                done.TrySetException(e);
            }
        });
        lock (_lock)
        {
            _queue.Add(request);
        }

        QueueChanged?.Invoke();
        cancellationToken.Register(() =>
        {
            bool removed;
            lock (_lock)
            {
                removed = _queue.Remove(request);
            }

            if (removed)
            {
                done.TrySetCanceled(cancellationToken);
                QueueChanged?.Invoke();
            }
        });
        Wake();
        return done.Task;
    }

    /// <summary>Runs scheduling passes whenever something changes (and at least every second) until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                // woken by new requests and finished work; the periodic pass picks up newly connected or re-enabled workers
                using var tick = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                await Task.WhenAny(_wake.WaitAsync(tick.Token), Task.Delay(PassInterval, time, tick.Token)).ConfigureAwait(false);
                await tick.CancelAsync().ConfigureAwait(false);
                var started = time.GetTimestamp();
                await PassAsync(cancellationToken).ConfigureAwait(false);
                _metrics?.SchedulerPass(time.GetElapsedTime(started));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                Log.PassFailed(logger, e);
            }
        }
    }

    /// <summary>One scheduling pass: puts every queued request that fits into an open window of some worker.</summary>
    public async Task<int> PassAsync(CancellationToken cancellationToken)
    {
        Request[] queue;
        Slot[] slots;
        lock (_lock)
        {
            queue = [.. _queue.OrderBy(r => r.Rank)];

            // Plan on copies: each open window starts empty (a window holds up to one worker's worth of
            // resources); utilization counts what runs there plus what this pass adds.
            slots = [.. workers.Workers.Where(w => w.Enabled && w.Kind == WorkerKind.Sealing).Select(w =>
            {
                var lane = LaneFor(w.Id);
                var planned = lane.Active.Clone();
                return new Slot(w, lane, planned, planned.Utilization(w.Info));
            }).Where(s => s.Lane.OpenWindows > 0)];
        }

        if (slots.Length == 0)
        {
            return 0;
        }

        // Requests of one (task, proof) need the same resources on a worker: look them up once per pass.
        var classes = new Dictionary<(TaskType, RegisteredSealProof), int>();
        var candidates = new List<Slot[]>();
        var assigned = 0;
        foreach (var request in queue)
        {
            if (request.Cancellation.IsCancellationRequested)
            {
                continue;
            }

            if (!classes.TryGetValue((request.Task, request.Sector.ProofType), out var cls))
            {
                classes[(request.Task, request.Sector.ProofType)] = cls = classes.Count;
                candidates.Add([.. slots.Where(s => s.Worker.Tasks.Contains(request.Task))]);
            }

            Slot? best = null;
            Window? bestWindow = null;
            Resources? bestNeed = null;
            request.Selector.BeginPass();
            try
            {
                foreach (var slot in candidates[cls])
                {
                    var worker = slot.Worker;
                    var need = slot.Need(cls, worker, request);
                    var window = slot.WindowFor(need, request.Task);
                    if (window is null)
                    {
                        continue;
                    }

                    var ok = request.Selector.OkAsync(worker, request.Task, request.Sector.ProofType, cancellationToken);
                    if (!(ok.IsCompletedSuccessfully ? ok.Result : await ok.ConfigureAwait(false)))
                    {
                        continue;
                    }

                    if (best is null || Better(request, worker, slot.Utilization, best.Worker, best.Utilization))
                    {
                        (best, bestWindow, bestNeed) = (slot, window, need);
                    }
                }
            }
            finally
            {
                request.Selector.EndPass();
            }

            if (best is null)
            {
                continue;
            }

            lock (_lock)
            {
                if (!_queue.Remove(request))
                {
                    continue;
                }
            }

            QueueChanged?.Invoke();

            bestWindow!.Allocated.Add(bestNeed!, request.Task, best.Worker.Info);
            bestWindow.Requests.Add((request, bestNeed!));
            best.Planned.Add(bestNeed!, request.Task, best.Worker.Info);
            best.Utilization = best.Planned.Utilization(best.Worker.Info);
            assigned++;
            Log.Assigned(logger, TaskTypes.ShortName(request.Task), request.Sector.ID.Number, best.Worker.Id, best.Worker.Info.Hostname);
        }

        foreach (var slot in slots)
        {
            foreach (var window in slot.Windows.Where(w => w.Requests.Count > 0))
            {
                lock (_lock)
                {
                    slot.Lane.OpenWindows--;
                }

                var started = 0;
                foreach (var (request, need) in window.Requests)
                {
                    _ = RunAsync(request, slot.Worker, slot.Lane, need, () =>
                    {
                        // the window opens again once every request in it got its resources (or gave up)
                        if (Interlocked.Increment(ref started) == window.Requests.Count)
                        {
                            lock (_lock)
                            {
                                slot.Lane.OpenWindows++;
                            }

                            Wake();
                        }
                    });
                }
            }
        }

        return assigned;
    }

    private static bool Better(Request request, WorkerHandle candidate, double candidateUtilization, WorkerHandle best, double bestUtilization)
    {
        var c = request.Selector.Compare(candidate, best, request.Task);
        return c != 0 ? c < 0 : candidateUtilization < bestUtilization;
    }

    /// <summary>Nothing: what Lotus needs for tasks its table does not list (FIN, FUS, FRU, DL).</summary>
    private static readonly Resources NoResources = new(0, 0, 0, 0, 0, 0, 0);

    /// <summary>
    /// The resources the request needs on this worker: the table the worker reported, else Lotus's default
    /// table, else nothing (Go's zero value for tasks the table does not list).
    /// </summary>
    private static Resources Need(WorkerHandle worker, Request request)
    {
        var proof = request.Sector.ProofType;
        if (worker.Info.Resources.Resources is { } table && table.TryGetValue(request.Task, out var row) && row.TryGetValue(proof, out var r))
        {
            return r;
        }

        return ResourceTable.Default.TryGetValue(request.Task, out var d) && d.TryGetValue(proof, out var dr) ? dr : NoResources;
    }

    private WorkerLane LaneFor(Guid worker)
    {
        if (!_lanes.TryGetValue(worker, out var lane))
        {
            _lanes[worker] = lane = new WorkerLane(_options.Windows);
        }

        return lane;
    }

    /// <summary>An assigned request on its worker: prepare (under the fetch limit), wait for room, work, give the room back.</summary>
    private async Task RunAsync(Request request, WorkerHandle worker, WorkerLane lane, Resources need, Action started)
    {
        var holding = false;
        try
        {
            if (request.Prepare is { } prepare)
            {
                await _fetches.WaitAsync(request.Cancellation).ConfigureAwait(false);
                try
                {
                    await prepare(worker, request.Cancellation).ConfigureAwait(false);
                }
                finally
                {
                    _fetches.Release();
                }
            }

            Task acquired;
            lock (_lock)
            {
                acquired = lane.AcquireAsync(need, request.Task, worker.Info, request.Rank, request.Cancellation);
            }

            await acquired.ConfigureAwait(false);
            holding = true;
            started();
            await request.Run(worker).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            if (!holding)
            {
                started();
            }

            request.Fail(e);
        }
        finally
        {
            if (holding)
            {
                lock (_lock)
                {
                    lane.Release(need, request.Task, worker.Info);
                }

                Wake();
            }
        }
    }

    private void Wake() => _wake.Release();

    private sealed class Slot(WorkerHandle worker, WorkerLane lane, ActiveResources planned, double utilization)
    {
        private Resources?[] _needs = new Resources?[4];

        public WorkerHandle Worker { get; } = worker;

        public WorkerLane Lane { get; } = lane;

        /// <summary>The windows this pass may fill (the lane's open ones, each starting empty).</summary>
        public List<Window> Windows { get; } = [.. Enumerable.Range(0, lane.OpenWindows).Select(_ => new Window())];

        /// <summary>The resources of request class <paramref name="cls"/> on this worker, looked up once per pass.</summary>
        public Resources Need(int cls, WorkerHandle w, Request request)
        {
            if (cls >= _needs.Length)
            {
                Array.Resize(ref _needs, Math.Max(cls + 1, _needs.Length * 2));
            }

            return _needs[cls] ??= SealingScheduler.Need(w, request);
        }

        /// <summary>The first window with room for the request, or null.</summary>
        public Window? WindowFor(Resources need, TaskType task)
        {
            foreach (var window in Windows)
            {
                if (window.Allocated.CanHandle(need, task, Worker.Info))
                {
                    return window;
                }
            }

            return null;
        }

        public ActiveResources Planned { get; } = planned;

        public double Utilization { get; set; } = utilization;
    }

    private sealed class Window
    {
        public ActiveResources Allocated { get; } = new();

        public List<(Request Request, Resources Need)> Requests { get; } = [];
    }

    private sealed record Request(
        SectorRef Sector,
        TaskType Task,
        IWorkerSelector Selector,
        long Sequence,
        CancellationToken Cancellation,
        Func<WorkerHandle, CancellationToken, Task>? Prepare,
        Func<WorkerHandle, Task> Run,
        Action<Exception> Fail)
    {
        /// <summary>Lotus's order: task order (finalize before new pieces), then sector number, then arrival.</summary>
        public (int Order, ulong Sector, long Sequence) Rank { get; } = (TaskTypes.Order(Task), Sector.ID.Number, Sequence);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5100, EventName = "TaskAssigned", Level = LogLevel.Information, Message = "assigned {Task} of sector {Sector} to worker {Worker} on {Host}")]
        public static partial void Assigned(ILogger logger, string task, ulong sector, Guid worker, string host);

        [LoggerMessage(EventId = 5101, EventName = "SchedulingPassFailed", Level = LogLevel.Error, Message = "scheduling pass failed")]
        public static partial void PassFailed(ILogger logger, Exception exception);
    }
}
