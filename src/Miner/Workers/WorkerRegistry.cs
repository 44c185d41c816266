using System.Collections.Concurrent;
using Kiln.Api;
using Kiln.Api.Types;

namespace Kiln.Miner.Workers;

/// <summary>
/// The workers attached to this miner (lotus-miner's WorkerConnect and sched_worker heartbeat):
/// connect checks the worker API version (1.7.x), takes its Session UUID as the worker id, reads
/// Info and TaskTypes; every heartbeat polls Session — an error disables the worker, a changed or
/// nil session removes it (a restarted worker must connect again), success re-enables it. A task type this build
/// does not know (a newer lotus-worker's) does not refuse the worker: it is logged once per worker and type and
/// never scheduled, as Lotus's miner keeps such a worker (its selectors only ever ask for the types they schedule).
/// Unlike Lotus (sched_worker.go checkSession keeps a disabled worker forever), a worker unreachable for
/// <see cref="WorkerRegistryOptions.LostAfter"/> is removed: its calls fail with 101 (<see cref="Lost"/>), then
/// <see cref="Removed"/> lets the schedulers drop it; a worker that comes back registers again (kiln-worker does when
/// its session check of the miner recovers). Heartbeats run at most
/// <see cref="WorkerRegistryOptions.MaxConcurrentHeartbeats"/> at a time.
/// </summary>
public sealed partial class WorkerRegistry(Func<string, IWorkerApi> connect, WorkerRegistryOptions options, TimeProvider time, ILogger<WorkerRegistry> logger)
{
    private readonly ConcurrentDictionary<Guid, WorkerHandle> _workers = new();

    /// <summary>Raised once after a new worker connected (PoSt schedulers take their workers from here).</summary>
    public event Action<WorkerHandle>? Connected;

    /// <summary>Raised after a worker was removed (restarted, shut down, or lost: after <see cref="Lost"/>).</summary>
    public event Action<WorkerHandle>? Removed;

    /// <summary>Raised after a worker was disabled (its session check failed) or enabled again (it answered).</summary>
    public event Action<WorkerHandle>? EnabledChanged;

    /// <summary>Raised once when a disabled worker has been unreachable for <see cref="WorkerRegistryOptions.LostAfter"/>; it is removed.</summary>
    public event Action<WorkerHandle>? Lost;

    public IReadOnlyCollection<WorkerHandle> Workers => [.. _workers.Values.OrderBy(w => w.Connected)];

    public WorkerHandle? Find(Guid id) => _workers.GetValueOrDefault(id);

    /// <summary>WorkerConnect(url): returns the (new or already known) worker.</summary>
    public async Task<WorkerHandle> ConnectAsync(string url, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(url);
        var api = connect(url);
        var version = await api.VersionAsync(cancellationToken).ConfigureAwait(false);
        if (!version.EqualsMajorMinor(ApiVersion.Worker))
        {
            throw new InvalidOperationException($"worker API version mismatch: worker at {url} speaks {version}, kiln-miner needs {ApiVersion.Worker.Major}.{ApiVersion.Worker.Minor}.x");
        }

        var session = await api.SessionAsync(cancellationToken).ConfigureAwait(false);
        if (session == Guid.Empty)
        {
            throw new InvalidOperationException("worker already closed");
        }

        if (_workers.TryGetValue(session, out var known))
        {
            // A worker connects again after it attached a path (or its session check recovered): refresh now, not at the next heartbeat.
            await RefreshPathsAsync(known, cancellationToken).ConfigureAwait(false);
            return known;
        }

        var info = await api.InfoAsync(cancellationToken).ConfigureAwait(false);
        var tasks = await api.TaskTypesAsync(cancellationToken).ConfigureAwait(false);
        var handle = new WorkerHandle(session, url, api, info, tasks, time.GetUtcNow());
        await RefreshPathsAsync(handle, cancellationToken).ConfigureAwait(false);
        if (_workers.TryAdd(session, handle))
        {
            Log.Connected(logger, session, info.Hostname, url, handle.Kind);
            ReportUnknown(handle, tasks);
            Connected?.Invoke(handle);
            return handle;
        }

        return _workers[session];
    }

    /// <summary>One heartbeat pass over every worker.</summary>
    public async Task HeartbeatAsync(CancellationToken cancellationToken)
    {
        await Parallel.ForEachAsync(
            _workers.Values.ToList(),
            new ParallelOptions { MaxDegreeOfParallelism = options.MaxConcurrentHeartbeats, CancellationToken = cancellationToken },
            async (w, ct) => await CheckAsync(w, ct).ConfigureAwait(false)).ConfigureAwait(false);
    }

    /// <summary>Heartbeats until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.HeartbeatInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                await HeartbeatAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task CheckAsync(WorkerHandle worker, CancellationToken cancellationToken)
    {
        Guid session;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.SessionTimeout);
            session = await worker.Api.SessionAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (worker.Enabled)
            {
                worker.Enabled = false;
                Log.Disabled(logger, worker.Id, worker.Info.Hostname, e.Message);
                EnabledChanged?.Invoke(worker);
            }

            if (!worker.LostReported && time.GetUtcNow() - worker.LastSeen >= options.LostAfter && _workers.TryRemove(worker.Id, out _))
            {
                worker.LostReported = true;
                Log.Lost(logger, worker.Id, worker.Info.Hostname, options.LostAfter);
                Lost?.Invoke(worker);
                Removed?.Invoke(worker);
            }

            return;
        }

        if (session != worker.Id)
        {
            if (_workers.TryRemove(worker.Id, out _))
            {
                Log.Removed(logger, worker.Id, worker.Info.Hostname, session == Guid.Empty ? "shut down" : "restarted");
                Removed?.Invoke(worker);
            }

            return;
        }

        worker.LastSeen = time.GetUtcNow();
        worker.LostReported = false;
        if (!worker.Enabled)
        {
            worker.Enabled = true;
            Log.Enabled(logger, worker.Id, worker.Info.Hostname);
            EnabledChanged?.Invoke(worker);
        }

        // Lotus's selectors ask a worker for its task types when they schedule; Kiln asks once per heartbeat, so
        // `tasks disable|enable` on the worker takes effect within one heartbeat.
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.SessionTimeout);
            var tasks = await worker.Api.TaskTypesAsync(timeout.Token).ConfigureAwait(false);
            if (!tasks.SetEquals(worker.Tasks))
            {
                worker.Tasks = tasks;
                Log.TasksChanged(logger, worker.Id, worker.Info.Hostname, string.Join(' ', tasks.OrderBy(TaskTypes.Order).Select(TaskTypes.ShortName)));
                ReportUnknown(worker, tasks);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The session answered; the next heartbeat asks for the task types again.
        }

        await RefreshPathsAsync(worker, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads the worker's storage paths into <see cref="WorkerHandle.Paths"/> (the scheduler's storage selectors use
    /// only that copy); a failed read keeps the previous paths, the next heartbeat tries again.
    /// </summary>
    public async Task RefreshPathsAsync(WorkerHandle worker, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(worker);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.SessionTimeout);
            var paths = await worker.Api.PathsAsync(timeout.Token).ConfigureAwait(false);
            worker.SetPaths(paths, time.GetUtcNow());
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.PathsFailed(logger, worker.Id, worker.Info.Hostname, e.Message);
        }
    }

    private void ReportUnknown(WorkerHandle worker, IReadOnlySet<TaskType> tasks)
    {
        foreach (var task in tasks)
        {
            if (!TaskTypes.IsKnown(task) && worker.ReportedUnknown.TryAdd(task, 0))
            {
                Log.UnknownTask(logger, worker.Id, worker.Info.Hostname, TaskTypes.Id(task));
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5200, EventName = "WorkerConnected", Level = LogLevel.Information, Message = "worker {Id} on {Host} connected from {Url} ({Kind})")]
        public static partial void Connected(ILogger logger, Guid id, string host, string url, WorkerKind kind);

        [LoggerMessage(EventId = 5201, EventName = "WorkerDisabled", Level = LogLevel.Warning, Message = "worker {Id} on {Host} disabled: session check failed: {Reason}")]
        public static partial void Disabled(ILogger logger, Guid id, string host, string reason);

        [LoggerMessage(EventId = 5202, EventName = "WorkerEnabled", Level = LogLevel.Information, Message = "worker {Id} on {Host} enabled again")]
        public static partial void Enabled(ILogger logger, Guid id, string host);

        [LoggerMessage(EventId = 5203, EventName = "WorkerLost", Level = LogLevel.Warning, Message = "worker {Id} on {Host} lost: no heartbeat for {After}; removed, its running calls are given up and rescheduled (it registers again once reachable)")]
        public static partial void Lost(ILogger logger, Guid id, string host, TimeSpan after);

        [LoggerMessage(EventId = 5204, EventName = "WorkerTasksChanged", Level = LogLevel.Information, Message = "worker {Id} on {Host} now accepts: {Tasks}")]
        public static partial void TasksChanged(ILogger logger, Guid id, string host, string tasks);

        [LoggerMessage(EventId = 5205, EventName = "WorkerUnknownTask", Level = LogLevel.Warning, Message = "worker {Id} on {Host} advertises task type {Task}, which kiln-miner does not know: the worker stays, that task is never scheduled on it")]
        public static partial void UnknownTask(ILogger logger, Guid id, string host, string task);

        [LoggerMessage(EventId = 5207, EventName = "WorkerPathsFailed", Level = LogLevel.Debug, Message = "worker {Id} on {Host}: reading its storage paths failed: {Reason}; the scheduler keeps the previous ones")]
        public static partial void PathsFailed(ILogger logger, Guid id, string host, string reason);

        [LoggerMessage(EventId = 5206, EventName = "WorkerRemoved", Level = LogLevel.Warning, Message = "worker {Id} on {Host} removed: {Why}")]
        public static partial void Removed(ILogger logger, Guid id, string host, string why);
    }
}
