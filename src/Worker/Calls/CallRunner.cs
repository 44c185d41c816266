using System.Collections.Concurrent;
using System.Diagnostics;
using Kiln.Api.JsonRpc;
using Kiln.Api.Metrics;
using Kiln.Api.Types;
using Kiln.Stores;
using Kiln.Worker.Run;
using Kiln.Worker.Sealing;

namespace Kiln.Worker.Calls;

/// <summary>
/// Runs the worker's asynchronous calls (Lotus storage/sealer/worker_local.go <c>asyncCall</c>): a call is recorded in
/// the <see cref="CallTracker"/> under a new <see cref="CallId"/> that is answered at once, its work runs in the
/// background, and its result or <see cref="CallError"/> is delivered to the miner's <c>Return*</c> by the
/// <see cref="ReturnSender"/>, retried until the miner takes it; only then does the call leave the tracker.
/// </summary>
public sealed partial class CallRunner : IAsyncDisposable
{
    /// <summary>How long a shutdown waits for running calls to stop once cancelled.</summary>
    public static readonly TimeSpan StopWait = TimeSpan.FromSeconds(30);

    private readonly CallTracker _tracker;
    private readonly ReturnSender _returns;
    private readonly string _workerName;
    private readonly ILogger _log;
    private readonly WorkerMetrics? _metrics;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<CallId, Task> _background = new();
    private readonly Lock _lock = new();
    private TaskCompletionSource _quiet = NewQuiet(completed: true);
    private int _running;
    private bool _disposed;

    /// <param name="tracker">The call journal (<c>calls.sqlite</c>).</param>
    /// <param name="returns">Delivers results to the miner.</param>
    /// <param name="workerName">The worker's name, ending every error message as Lotus's <c>[name: worker]</c>.</param>
    /// <param name="logger">Failed calls and resumed calls.</param>
    /// <param name="metrics">Task counts and durations, when the host records them.</param>
    public CallRunner(CallTracker tracker, ReturnSender returns, string workerName, ILogger logger, WorkerMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(tracker);
        ArgumentNullException.ThrowIfNull(returns);
        ArgumentNullException.ThrowIfNull(workerName);
        ArgumentNullException.ThrowIfNull(logger);
        _tracker = tracker;
        _returns = returns;
        _workerName = workerName;
        _log = logger;
        _metrics = metrics;
    }

    /// <summary>The call journal the runner records every call in.</summary>
    public CallTracker Tracker => _tracker;

    /// <summary>Delivers the finished calls' results to the miner.</summary>
    public ReturnSender Returns => _returns;

    /// <summary>How many calls are executing their work now (deliveries of finished calls not counted).</summary>
    public int Running
    {
        get
        {
            lock (_lock)
            {
                return _running;
            }
        }
    }

    /// <summary>
    /// Records a call for <paramref name="sector"/>, starts <paramref name="work"/> in the background and answers its
    /// <see cref="CallId"/>. The work's result (serialized as the <paramref name="type"/>'s <c>Return*</c> expects) or
    /// its failure as a <see cref="CallError"/> is delivered to the miner when it ends.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The runner is stopping.</exception>
    public async Task<CallId> StartAsync(SectorRef sector, TaskType task, ReturnType type, Func<CancellationToken, Task<object?>> work, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(work);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var id = new CallId(sector.ID, Guid.NewGuid());
        await _tracker.StartedAsync(id, type, ct).ConfigureAwait(false);
        lock (_lock)
        {
            if (_running++ == 0)
            {
                _quiet = NewQuiet(completed: false);
            }
        }

        Track(id, Task.Run(() => RunAsync(id, task, type, work), CancellationToken.None));
        return id;
    }

    /// <summary>
    /// <see cref="StartAsync"/> for a call that reads a reader param after answering: the call takes the reader over
    /// (<see cref="RpcReaderOwnership"/>) and its work closes it when it ends, as Lotus's Sealer.AddPiece and DataCid
    /// do. If the call cannot start, the RPC server closes the reader.
    /// </summary>
    public Task<CallId> StartReadingAsync(SectorRef sector, TaskType task, ReturnType type, Stream data, Func<CancellationToken, Task<object?>> work, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(work);
        RpcReaderOwnership.TakeOwnership(data);
        return StartAsync(sector, task, type, async t =>
        {
            await using (data)
            {
                return await work(t).ConfigureAwait(false);
            }
        }, ct);
    }

    /// <summary>Completes when no call is executing its work (the worker waits for this before registering with a miner).</summary>
    public Task WaitQuietAsync(CancellationToken ct)
    {
        lock (_lock)
        {
            return _quiet.Task.WaitAsync(ct);
        }
    }

    /// <summary>
    /// Start-up pass over the call tracker: results the miner has not acknowledged are delivered again, calls a
    /// restart interrupted are answered with <see cref="CallError.ErrTempWorkerRestart"/> (101), as Lotus
    /// storage/sealer/worker_local.go newLocalWorker does for the calls its call tracker holds unfinished.
    /// </summary>
    public async Task ResumeTrackedCallsAsync(CancellationToken ct)
    {
        foreach (var call in await _tracker.ListAsync(ct).ConfigureAwait(false))
        {
            var toSend = call;
            if (!call.Done)
            {
                var restarted = new CallError(CallError.ErrTempWorkerRestart, $"worker [name: {_workerName}] restarted");
                await _tracker.DoneAsync(call.Id, null, restarted, ct).ConfigureAwait(false);
                toSend = call with { Done = true, ResultJson = null, Error = restarted };
            }

            LogResuming(call.ReturnType.ToString(), call.Id.ToString(), call.Done);
            Track(call.Id, Task.Run(() => _returns.DeliverAsync(toSend, _stopping.Token), CancellationToken.None));
        }
    }

    /// <summary>Stops background work; unfinished calls and undelivered results stay in the tracker for the next start.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _stopping.CancelAsync().ConfigureAwait(false);
        var running = _background.Values.ToArray();
        try
        {
            // Work ends on cancellation; a read that does not observe it (a pushed body whose sender went quiet) is
            // left behind after StopWait rather than holding the shutdown: its call becomes a 101 on restart.
            await Task.WhenAll(running).WaitAsync(StopWait).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Cancellation is how the background work ends here.
        }
        catch (TimeoutException)
        {
            LogStopAbandoned(running.Count(t => !t.IsCompleted), StopWait);
        }

        _stopping.Dispose();
    }

    /// <summary>
    /// Lotus <c>toCallError</c> and the codes its manager acts on (storage/sealer/storiface/worker.go): no room or no
    /// fitting path for a sector's files is <see cref="CallError.ErrTempAllocateSpace"/> (102); a miner or another host
    /// that could not be reached — connection refused or dropped, a timeout, a restarting miner answering 502/503 —
    /// is <see cref="CallError.ErrTempUnknown"/> (100); both are retried by the miner's pipeline. Anything else is
    /// <see cref="CallError.ErrUnknown"/> (0), which fails the sector. The message names the task, the sector and the
    /// cause, and ends with Lotus's <c>[name: worker]</c>.
    /// </summary>
    internal CallError ToCallError(TaskType task, SectorId sector, Exception e)
    {
        // DataCid runs on no sector (Lotus storiface.NoSectorRef): its message names none.
        var message = task == TaskType.DataCid || e.Message.Contains(sector.ToSectorName(), StringComparison.Ordinal)
            ? $"{TaskTypes.ShortName(task)}: {e.Message} [name: {_workerName}]"
            : $"{TaskTypes.ShortName(task)} of sector {sector.ToSectorName()}: {e.Message} [name: {_workerName}]";
        return e is AllocateSpaceException or StoresException { IsRetryable: true }
            ? new CallError(CallError.ErrTempAllocateSpace, message)
            : IsTransient(e)
                ? new CallError(CallError.ErrTempUnknown, message)
                : new CallError(CallError.ErrUnknown, message);
    }

    /// <summary>
    /// True when <paramref name="e"/> or an exception inside it is a failure to reach the other side rather than an
    /// answer: a refused or dropped connection, a timeout, or an HTTP status a restarting or overloaded server gives.
    /// </summary>
    internal static bool IsTransient(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            switch (x)
            {
                case RpcException r when r.IsConnectionError:
                case System.Net.Sockets.SocketException:
                case TimeoutException:
                case HttpRequestException { StatusCode: null }:
                case HttpRequestException { StatusCode: System.Net.HttpStatusCode.RequestTimeout or System.Net.HttpStatusCode.TooManyRequests or System.Net.HttpStatusCode.BadGateway or System.Net.HttpStatusCode.ServiceUnavailable or System.Net.HttpStatusCode.GatewayTimeout }:
                    return true;
            }
        }

        return false;
    }

    private async Task RunAsync(CallId id, TaskType task, ReturnType type, Func<CancellationToken, Task<object?>> work)
    {
        var stop = _stopping.Token;
        object? result = null;
        CallError? error = null;
        var started = Stopwatch.GetTimestamp();
        var outcome = TaskInstruments.Failed;
        try
        {
            result = await work(stop).ConfigureAwait(false);
            outcome = TaskInstruments.Succeeded;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The process is stopping: the tracker row stays "started" and becomes a 101 on restart.
            outcome = TaskInstruments.Aborted;
            return;
        }
        catch (Exception e)
        {
            error = ToCallError(task, id.Sector, e);
            LogCallFailed(type.ToString(), id.ToString(), e);
        }
        finally
        {
            _metrics?.TaskFinished(task, outcome, Stopwatch.GetElapsedTime(started));
            lock (_lock)
            {
                if (--_running == 0)
                {
                    _quiet.TrySetResult();
                }
            }
        }

        await _returns.CompleteAsync(id, type, result, error, stop).ConfigureAwait(false);
    }

    private void Track(CallId id, Task task)
    {
        _background[id] = task;
        _ = task.ContinueWith(_ => _background.TryRemove(id, out Task? _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private static TaskCompletionSource NewQuiet(bool completed)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (completed)
        {
            tcs.SetResult();
        }

        return tcs;
    }

    [LoggerMessage(EventId = 7201, EventName = "CallFailed", Level = LogLevel.Warning, Message = "{Type} call {Call} failed")]
    private partial void LogCallFailed(string type, string call, Exception e);

    [LoggerMessage(EventId = 7202, EventName = "Resuming", Level = LogLevel.Information, Message = "Resuming tracked {Type} call {Call} (finished: {Done})")]
    private partial void LogResuming(string type, string call, bool done);

    [LoggerMessage(EventId = 7203, EventName = "StopAbandoned", Level = LogLevel.Warning, Message = "{Count} calls did not stop within {Wait} of the shutdown; left behind (each is answered 101 on restart)")]
    private partial void LogStopAbandoned(int count, TimeSpan wait);
}
