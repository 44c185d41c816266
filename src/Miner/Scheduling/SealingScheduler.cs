using Kiln.Api.Types;
using Kiln.Miner.Workers;

namespace Kiln.Miner.Scheduling;

/// <summary>
/// The sealing scheduler: requests wait in a queue ordered as Lotus orders them (task order — finalize
/// before new pieces — then sector number); each pass gives every request, in that order, to the best
/// enabled sealing worker that the request's selector accepts and whose free resources fit (Lotus's
/// admission rule); the work runs, the resources come back, the next pass starts.
/// </summary>
public sealed partial class SealingScheduler(WorkerRegistry workers, TimeProvider time, ILogger<SealingScheduler> logger)
{
    /// <summary>Longest time between two passes when nothing wakes the scheduler.</summary>
    public static readonly TimeSpan PassInterval = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private readonly List<Request> _queue = [];
    private readonly Dictionary<Guid, ActiveResources> _active = [];
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);
    private long _sequence;

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

    /// <summary>Resources in use on a worker (sealing workers only).</summary>
    public ActiveResources Active(Guid worker)
    {
        lock (_lock)
        {
            return _active.TryGetValue(worker, out var a) ? a : new ActiveResources();
        }
    }

    /// <summary>Queues a task; <paramref name="work"/> runs on the chosen worker once it fits, and its result is returned.</summary>
    public Task<T> ScheduleAsync<T>(SectorRef sector, TaskType task, IWorkerSelector selector, Func<WorkerHandle, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var request = new Request(sector, task, selector, Interlocked.Increment(ref _sequence), cancellationToken, async w =>
        {
            try
            {
                done.TrySetResult(await work(w, cancellationToken).ConfigureAwait(false));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                done.TrySetCanceled(cancellationToken);
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
        });
        lock (_lock)
        {
            _queue.Add(request);
        }

        cancellationToken.Register(() =>
        {
            lock (_lock)
            {
                if (_queue.Remove(request))
                {
                    done.TrySetCanceled(cancellationToken);
                }
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
                await PassAsync(cancellationToken).ConfigureAwait(false);
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

    /// <summary>One scheduling pass: assigns every queued request that fits somewhere now.</summary>
    public async Task<int> PassAsync(CancellationToken cancellationToken)
    {
        Request[] queue;
        lock (_lock)
        {
            queue = [.. _queue.OrderBy(r => TaskTypes.Order(r.Task)).ThenBy(r => r.Sector.ID.Number).ThenBy(r => r.Sequence)];
        }

        // Plan on copies of each worker's resources: no lock per evaluation, utilization computed once per change.
        var slots = workers.Workers.Where(w => w.Enabled && w.Kind == WorkerKind.Sealing).Select(w =>
        {
            lock (_lock)
            {
                var planned = ActiveFor(w.Id).Clone();
                return new Slot(w, planned, planned.Utilization(w.Info));
            }
        }).ToArray();
        // Requests of one (task, proof) need the same resources on a worker: look them up once per pass.
        var classes = new Dictionary<(TaskType, RegisteredSealProof), int>();
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
            }

            Slot? best = null;
            Resources? bestNeed = null;
            foreach (var slot in slots)
            {
                var worker = slot.Worker;
                if (!worker.Tasks.Contains(request.Task))
                {
                    continue;
                }

                var need = slot.Need(cls, worker, request);
                if (!slot.Planned.CanHandle(need, request.Task, worker.Info))
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
                    (best, bestNeed) = (slot, need);
                }
            }

            if (best is null)
            {
                continue;
            }

            lock (_lock)
            {
                if (!_queue.Remove(request) || !ActiveFor(best.Worker.Id).CanHandle(bestNeed!, request.Task, best.Worker.Info))
                {
                    continue;
                }

                ActiveFor(best.Worker.Id).Add(bestNeed!, request.Task, best.Worker.Info);
            }

            best.Planned.Add(bestNeed!, request.Task, best.Worker.Info);
            best.Utilization = best.Planned.Utilization(best.Worker.Info);
            assigned++;
            Log.Assigned(logger, TaskTypes.ShortName(request.Task), request.Sector.ID.Number, best.Worker.Id, best.Worker.Info.Hostname);
            _ = RunAsync(request, best.Worker, bestNeed!);
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

    private ActiveResources ActiveFor(Guid worker)
    {
        if (!_active.TryGetValue(worker, out var a))
        {
            _active[worker] = a = new ActiveResources();
        }

        return a;
    }

    private async Task RunAsync(Request request, WorkerHandle worker, Resources need)
    {
        try
        {
            await request.Run(worker).ConfigureAwait(false);
        }
        finally
        {
            lock (_lock)
            {
                ActiveFor(worker.Id).Remove(need, request.Task, worker.Info);
            }

            Wake();
        }
    }

    private void Wake() => _wake.Release();

    private sealed class Slot(WorkerHandle worker, ActiveResources planned, double utilization)
    {
        private Resources?[] _needs = new Resources?[4];

        public WorkerHandle Worker { get; } = worker;

        /// <summary>The resources of request class <paramref name="cls"/> on this worker, looked up once per pass.</summary>
        public Resources Need(int cls, WorkerHandle w, Request request)
        {
            if (cls >= _needs.Length)
            {
                Array.Resize(ref _needs, Math.Max(cls + 1, _needs.Length * 2));
            }

            return _needs[cls] ??= SealingScheduler.Need(w, request);
        }

        public ActiveResources Planned { get; } = planned;

        public double Utilization { get; set; } = utilization;
    }

    private sealed record Request(SectorRef Sector, TaskType Task, IWorkerSelector Selector, long Sequence, CancellationToken Cancellation, Func<WorkerHandle, Task> Run);

    private static partial class Log
    {
        [LoggerMessage(20, LogLevel.Information, "assigned {Task} of sector {Sector} to worker {Worker} on {Host}")]
        public static partial void Assigned(ILogger logger, string task, ulong sector, Guid worker, string host);

        [LoggerMessage(21, LogLevel.Error, "scheduling pass failed")]
        public static partial void PassFailed(ILogger logger, Exception exception);
    }
}
