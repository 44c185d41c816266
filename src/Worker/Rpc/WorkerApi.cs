using System.Collections.Concurrent;
using System.Diagnostics;
using Kiln.Api;
using Kiln.Api.JsonRpc;
using Kiln.Api.Metrics;
using Kiln.Api.Types;
using Kiln.Proofs.Sdr.Pool;
using Kiln.Stores;
using Kiln.Stores.Local;
using Kiln.Stores.PoSt;
using Kiln.Worker.Calls;
using Kiln.Worker.Run;
using Kiln.Worker.Sealing;

namespace Kiln.Worker.Rpc;

/// <summary>
/// kiln-worker's <see cref="IWorkerApi"/> (lotus: storage/sealer/worker_local.go and cmd/lotus-worker's
/// <c>worker</c>): identity and session, resources, task types, local storage, and the sealing steps, each of which
/// answers a <see cref="CallId"/> at once, runs in the background and reports through <c>Return*</c>.
/// </summary>
public sealed partial class WorkerApi : IWorkerApi, IAsyncDisposable
{
    private readonly WorkerOptions _options;
    private readonly LocalStore _store;
    private readonly SealingTasks _tasks;
    private readonly PartitionProver? _post;
    private readonly CallTracker _tracker;
    private readonly ReturnSender _returns;
    private readonly Func<string, string?> _environment;
    private readonly ILogger _log;
    private readonly SemaphoreSlim _fetchLimit;
    private readonly WorkerMetrics? _metrics;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<CallId, Task> _background = new();
    private readonly Lock _lock = new();
    private readonly HashSet<TaskType> _enabledTasks;
    private readonly Lazy<IReadOnlyList<string>> _gpus;
    private TaskCompletionSource _quiet = NewQuiet(completed: true);
    private int _running;
    private bool _enabled = true;
    private bool _closing;

    public WorkerApi(
        WorkerOptions options,
        LocalStore store,
        SealingTasks tasks,
        CallTracker tracker,
        ReturnSender returns,
        Func<string, string?> environment,
        ILogger logger,
        LabelPoolLayout? labelPool = null,
        PartitionProver? post = null,
        WorkerMetrics? metrics = null)
    {
        _metrics = metrics;
        _options = options;
        _store = store;
        _tasks = tasks;
        _post = post;
        _tracker = tracker;
        _returns = returns;
        _environment = environment;
        _log = logger;
        LabelPool = labelPool;
        _fetchLimit = new SemaphoreSlim(options.ParallelFetchLimit);
        _enabledTasks = [.. options.EnabledTasks];
        Name = options.EffectiveName;
        _gpus = new Lazy<IReadOnlyList<string>>(() => GpuDevices.Detect(options.HostPaths));
    }

    /// <summary>A UUID chosen when the process starts; the miner's WorkerID for this worker.</summary>
    public Guid ProcessSession { get; } = Guid.NewGuid();

    public string Name { get; }

    /// <summary>The PC1 label pool sized for the miner's sectors, or null when the worker runs without one.</summary>
    public LabelPoolLayout? LabelPool { get; }

    /// <summary>Fires once when <see cref="ShutdownAsync"/> is called.</summary>
    public event Action? ShutdownRequested;

    /// <summary>Fires on every <c>Session</c> call: the miner's heartbeat (Lotus sched_worker.go checks the session every HeartbeatInterval).</summary>
    public event Action? SessionQueried;

    public Task<ApiVersion> VersionAsync(CancellationToken ct) => Task.FromResult(ApiVersion.Worker);

    public Task<IReadOnlySet<TaskType>> TaskTypesAsync(CancellationToken ct)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlySet<TaskType>>(_enabledTasks.ToHashSet());
        }
    }

    public Task<IReadOnlyList<StoragePath>> PathsAsync(CancellationToken ct) => Task.FromResult(_store.Paths());

    /// <summary>Lotus LocalWorker.Info: memory as memInfo (cgroup limits, <c>--no-swap</c>), CPUs, GPU names (found once), resource table.</summary>
    public Task<WorkerInfo> InfoAsync(CancellationToken ct)
    {
        var mem = MemInfo.ForWorker(_options.HostPaths, _options.NoSwap);
        var resources = new WorkerResources(
            mem.Physical, mem.Used, mem.Swap, mem.SwapUsed, (ulong)Environment.ProcessorCount, [.. _gpus.Value], WorkerResourceTable.For(LabelPool, _environment));
        return Task.FromResult(new WorkerInfo(Name, false, resources));
    }

    /// <summary>Lotus LocalWorker.AddPiece: answers at once; the background work reads (and then closes) <paramref name="pieceData"/>.</summary>
    public Task<CallId> AddPieceAsync(SectorRef sector, IReadOnlyList<ulong> pieceSizes, ulong newPieceSize, Stream pieceData, CancellationToken ct) =>
        StartReadingAsync(sector, TaskType.AddPiece, ReturnType.AddPiece, pieceData, async t => await _tasks.AddPieceAsync(sector, pieceSizes, newPieceSize, pieceData, t), ct);

    public Task<CallId> SealPreCommit1Async(SectorRef sector, byte[] ticket, IReadOnlyList<PieceInfo> pieces, CancellationToken ct) =>
        StartAsync(sector, TaskType.PreCommit1, ReturnType.SealPreCommit1, async t => await _tasks.PreCommit1Async(sector, ticket, pieces, t), ct);

    public Task<CallId> FinalizeSectorAsync(SectorRef sector, CancellationToken ct) =>
        StartAsync(sector, TaskType.Finalize, ReturnType.FinalizeSector, async t =>
        {
            await _tasks.FinalizeAsync(sector, t);
            return null;
        }, ct);

    public Task<CallId> FetchAsync(SectorRef sector, SectorFileType fileType, PathType pathType, AcquireMode mode, CancellationToken ct) =>
        StartAsync(sector, TaskType.Fetch, ReturnType.Fetch, async t =>
        {
            await _fetchLimit.WaitAsync(t);
            try
            {
                await _tasks.FetchAsync(sector, fileType, pathType, mode, t);
            }
            finally
            {
                _fetchLimit.Release();
            }

            return null;
        }, ct);

    /// <summary>
    /// Lotus LocalWorker.DataCid: a call with no sector (Lotus storiface.NoSectorRef, so the CallID's sector is 0-0)
    /// whose result, the piece's padded size and CID, arrives through ReturnDataCid; nothing is written to storage.
    /// </summary>
    public Task<CallId> DataCidAsync(ulong pieceSize, Stream pieceData, CancellationToken ct) =>
        StartReadingAsync(default, TaskType.DataCid, ReturnType.DataCid, pieceData, async t => await SealingTasks.DataCidAsync(pieceSize, pieceData, t), ct);

    public Task<CallId> SealPreCommit2Async(SectorRef sector, byte[] preCommit1Out, CancellationToken ct) =>
        StartAsync(sector, TaskType.PreCommit2, ReturnType.SealPreCommit2, async t => await _tasks.PreCommit2Async(sector, preCommit1Out, t), ct);

    public Task<CallId> SealCommit1Async(SectorRef sector, byte[] ticket, byte[] seed, IReadOnlyList<PieceInfo> pieces, SectorCids cids, CancellationToken ct) =>
        StartAsync(sector, TaskType.Commit1, ReturnType.SealCommit1, async t => await _tasks.Commit1Async(sector, ticket, seed, pieces, cids, t), ct);

    public Task<CallId> SealCommit2Async(SectorRef sector, byte[] commit1Out, CancellationToken ct) =>
        StartAsync(sector, TaskType.Commit2, ReturnType.SealCommit2, async t => await _tasks.Commit2Async(sector, commit1Out, t), ct);

    public Task<CallId> FinalizeReplicaUpdateAsync(SectorRef sector, CancellationToken ct) => throw NotAvailable(TaskType.FinalizeReplicaUpdate);

    public Task<CallId> ReplicaUpdateAsync(SectorRef sector, IReadOnlyList<PieceInfo> pieces, CancellationToken ct) => throw NotAvailable(TaskType.ReplicaUpdate);

    public Task<CallId> ProveReplicaUpdate1Async(SectorRef sector, Cid sectorKey, Cid newSealed, Cid newUnsealed, CancellationToken ct) =>
        throw NotAvailable(TaskType.ProveReplicaUpdate1);

    public Task<CallId> ProveReplicaUpdate2Async(SectorRef sector, Cid sectorKey, Cid newSealed, Cid newUnsealed, IReadOnlyList<byte[]> vanillaProofs, CancellationToken ct) =>
        throw NotAvailable(TaskType.ProveReplicaUpdate2);

    public Task<CallId> GenerateSectorKeyFromDataAsync(SectorRef sector, Cid commD, CancellationToken ct) => throw NotAvailable(TaskType.RegenSectorKey);

    public Task<CallId> ReleaseUnsealedAsync(SectorRef sector, IReadOnlyList<UnpaddedRange> keepUnsealed, CancellationToken ct) =>
        StartAsync(sector, TaskType.FinalizeUnsealed, ReturnType.ReleaseUnsealed, async t =>
        {
            await _tasks.ReleaseUnsealedAsync(sector, keepUnsealed ?? [], t);
            return null;
        }, ct);

    /// <summary>Lotus runs MoveStorage under no task type of its own: the miner schedules it as a fetch (GET).</summary>
    public Task<CallId> MoveStorageAsync(SectorRef sector, SectorFileType types, CancellationToken ct) =>
        StartAsync(sector, TaskType.Fetch, ReturnType.MoveStorage, async t =>
        {
            await _tasks.MoveStorageAsync(sector, types, t);
            return null;
        }, ct);

    public Task<CallId> UnsealPieceAsync(SectorRef sector, ulong offset, ulong size, byte[] randomness, Cid commD, CancellationToken ct) =>
        StartAsync(sector, TaskType.Unseal, ReturnType.UnsealPiece, async t =>
        {
            await _tasks.UnsealPieceAsync(sector, offset, size, randomness, commD, t);
            return null;
        }, ct);

    public Task<CallId> DownloadSectorDataAsync(SectorRef sector, bool finalized, IReadOnlyDictionary<SectorFileType, SectorLocation> source, CancellationToken ct) =>
        StartAsync(sector, TaskType.DownloadSector, ReturnType.DownloadSector, async t =>
        {
            await _tasks.DownloadSectorDataAsync(sector, finalized, source ?? new Dictionary<SectorFileType, SectorLocation>(), t);
            return null;
        }, ct);

    /// <summary>Synchronous, as Lotus's: the proofs come back in this call; a failure is a JSON-RPC error.</summary>
    public Task<IReadOnlyList<PoStProof>> GenerateWinningPoStAsync(RegisteredPoStProof proofType, ulong minerId, IReadOnlyList<PostSectorChallenge> sectors, byte[] randomness, CancellationToken ct) =>
        ProveAsync(TaskType.GenerateWinningPoSt, post => post.GenerateWinningPoStAsync(proofType, minerId, sectors, randomness, ct));

    /// <summary>Synchronous, as Lotus's: unreadable sectors come back in <c>Skipped</c> with no error; a proving failure is a JSON-RPC error.</summary>
    public Task<WindowPoStResult> GenerateWindowPoStAsync(RegisteredPoStProof proofType, ulong minerId, IReadOnlyList<PostSectorChallenge> sectors, int partitionIndex, byte[] randomness, CancellationToken ct) =>
        ProveAsync(TaskType.GenerateWindowPoSt, post => post.GenerateWindowPoStAsync(proofType, minerId, sectors, partitionIndex, randomness, ct));

    public Task TaskDisableAsync(TaskType taskType, CancellationToken ct)
    {
        lock (_lock)
        {
            _enabledTasks.Remove(taskType);
        }

        return Task.CompletedTask;
    }

    public Task TaskEnableAsync(TaskType taskType, CancellationToken ct)
    {
        if (!WorkerOptions.Executable.Contains(taskType))
        {
            throw NotAvailable(taskType);
        }

        lock (_lock)
        {
            try
            {
                // A worker is a sealing, a window PoSt or a winning PoSt worker; enabling keeps it one.
                WorkerOptions.ValidateWorkerType(_options.RequestedTasks.Append(taskType).ToHashSet());
            }
            catch (ArgumentException e)
            {
                throw new RpcException(RpcErrorCodes.Application, e.Message);
            }

            _enabledTasks.Add(taskType);
        }

        return Task.CompletedTask;
    }

    /// <summary>Removes the sector's sealed, cache and unsealed files from this worker's paths.</summary>
    public async Task RemoveAsync(SectorId sector, CancellationToken ct)
    {
        foreach (var t in new[] { SectorFileType.Sealed, SectorFileType.Cache, SectorFileType.Unsealed })
        {
            await _store.RemoveAsync(sector, t, force: true, keepIn: [], ct);
        }
    }

    public Task<IReadOnlyDictionary<StorageId, string>> StorageLocalAsync(CancellationToken ct) => Task.FromResult(_store.Local());

    public async Task StorageAddLocalAsync(string path, CancellationToken ct) =>
        await StoresRpc.RunAsync(() => _store.AttachAsync(HomeDir.Expand(path), init: false, ct: ct));

    public Task StorageDetachLocalAsync(string path, CancellationToken ct) =>
        StoresRpc.RunAsync(() => _store.DetachAsync(HomeDir.Expand(path), ct));

    public async Task StorageDetachAllAsync(CancellationToken ct)
    {
        foreach (var root in _store.Local().Values)
        {
            await StoresRpc.RunAsync(() => _store.ClosePathAsync(root, ct));
        }
    }

    public Task StorageRedeclareLocalAsync(StorageId? id, bool dropMissing, CancellationToken ct) =>
        StoresRpc.RunAsync(() => _store.RedeclareAsync(id, dropMissing, ct));

    public Task SetEnabledAsync(bool enabled, CancellationToken ct)
    {
        _enabled = enabled;
        return Task.CompletedTask;
    }

    public Task<bool> EnabledAsync(CancellationToken ct) => Task.FromResult(_enabled);

    public Task WaitQuietAsync(CancellationToken ct)
    {
        lock (_lock)
        {
            return _quiet.Task.WaitAsync(ct);
        }
    }

    public Task<Guid> ProcessSessionAsync(CancellationToken ct) => Task.FromResult(ProcessSession);

    /// <summary>
    /// Lotus sealworker Session: an error while disabled; after <see cref="ShutdownAsync"/> the nil UUID (Lotus
    /// ClosedWorkerID), which tells the miner to drop this worker at its next heartbeat.
    /// </summary>
    public Task<Guid> SessionAsync(CancellationToken ct)
    {
        SessionQueried?.Invoke();
        if (!_enabled)
        {
            throw new RpcException(RpcErrorCodes.Application, "worker disabled");
        }

        return Task.FromResult(_closing ? Guid.Empty : ProcessSession);
    }

    public Task ShutdownAsync(CancellationToken ct)
    {
        if (!_closing)
        {
            _closing = true;
            LogShutdown();
            ShutdownRequested?.Invoke();
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Start-up pass over the call tracker: results the miner has not acknowledged are delivered again, calls a
    /// restart interrupted are answered with <c>CallError</c> 101 (as Lotus).
    /// </summary>
    public async Task ResumeTrackedCallsAsync(CancellationToken ct)
    {
        foreach (var call in await _tracker.ListAsync(ct))
        {
            var toSend = call;
            if (!call.Done)
            {
                var restarted = new CallError(CallError.ErrTempWorkerRestart, $"worker [name: {Name}] restarted");
                await _tracker.DoneAsync(call.Id, null, restarted, ct);
                toSend = call with { Done = true, ResultJson = null, Error = restarted };
            }

            LogResuming(call.ReturnType.ToString(), call.Id.ToString(), call.Done);
            Track(call.Id, Task.Run(() => _returns.DeliverAsync(toSend, _stopping.Token), CancellationToken.None));
        }
    }

    /// <summary>Stops background work; unfinished calls stay in the tracker (answered with 101 on the next start).</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        try
        {
            await Task.WhenAll(_background.Values);
        }
        catch (OperationCanceledException)
        {
            // Cancellation is how the background work ends here.
        }

        _stopping.Dispose();
        _fetchLimit.Dispose();
    }

    private async Task<CallId> StartAsync(SectorRef sector, TaskType task, ReturnType type, Func<CancellationToken, Task<object?>> work, CancellationToken ct)
    {
        var id = new CallId(sector.ID, Guid.NewGuid());
        await _tracker.StartedAsync(id, type, ct);
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
    /// (RpcReaderOwnership) and its work closes it when it ends, as Lotus's Sealer.AddPiece and DataCid do. If the call
    /// cannot start, the RPC server closes the reader.
    /// </summary>
    private Task<CallId> StartReadingAsync(SectorRef sector, TaskType task, ReturnType type, Stream data, Func<CancellationToken, Task<object?>> work, CancellationToken ct)
    {
        RpcReaderOwnership.TakeOwnership(data);
        return StartAsync(sector, task, type, async t =>
        {
            await using (data)
            {
                return await work(t);
            }
        }, ct);
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
            result = await work(stop);
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

        await _returns.CompleteAsync(id, type, result, error, stop);
    }

    /// <summary>
    /// Lotus <c>toCallError</c> and the codes its manager acts on (storage/sealer/storiface/worker.go): no room or no
    /// fitting path for a sector's files is <see cref="CallError.ErrTempAllocateSpace"/> (102); a miner or another host
    /// that could not be reached — connection refused or dropped, a timeout, a restarting miner answering 502/503 —
    /// is <see cref="CallError.ErrTempUnknown"/> (100); both are retried by the miner's pipeline. Anything else is
    /// <see cref="CallError.ErrUnknown"/> (0), which fails the sector. The message names the task, the sector and the
    /// cause, and ends with Lotus's <c>[name: worker]</c>.
    /// </summary>
    private CallError ToCallError(TaskType task, SectorId sector, Exception e)
    {
        // DataCid runs on no sector (Lotus storiface.NoSectorRef): its message names none.
        var message = task == TaskType.DataCid || e.Message.Contains(sector.ToSectorName(), StringComparison.Ordinal)
            ? $"{TaskTypes.ShortName(task)}: {e.Message} [name: {Name}]"
            : $"{TaskTypes.ShortName(task)} of sector {sector.ToSectorName()}: {e.Message} [name: {Name}]";
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

    private void Track(CallId id, Task task)
    {
        _background[id] = task;
        _ = task.ContinueWith(_ => _background.TryRemove(id, out Task? _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task<T> ProveAsync<T>(TaskType type, Func<PartitionProver, Task<T>> prove)
    {
        bool enabled;
        lock (_lock)
        {
            enabled = _enabledTasks.Contains(type);
        }

        if (_post is null || !enabled)
        {
            throw NotAvailable(type);
        }

        var started = Stopwatch.GetTimestamp();
        var outcome = TaskInstruments.Failed;
        try
        {
            var proofs = await prove(_post);
            outcome = TaskInstruments.Succeeded;
            return proofs;
        }
        catch (OperationCanceledException)
        {
            outcome = TaskInstruments.Aborted;
            throw;
        }
        catch (Exception e) when (e is Kiln.Proofs.ProofsException or StoresException or ArgumentException)
        {
            LogPoStFailed(TaskTypes.ShortName(type), e);
            throw new RpcException(RpcErrorCodes.Application, $"{e.Message} [name: {Name}]");
        }
        finally
        {
            _metrics?.TaskFinished(type, outcome, Stopwatch.GetElapsedTime(started));
        }
    }

    private static RpcException NotAvailable(TaskType type) =>
        new(RpcErrorCodes.Application, $"kiln-worker cannot execute {TaskTypes.Id(type)} ({TaskTypes.ShortName(type)}) yet");

    private static TaskCompletionSource NewQuiet(bool completed)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (completed)
        {
            tcs.SetResult();
        }

        return tcs;
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "{Type} call {Call} failed")]
    private partial void LogCallFailed(string type, string call, Exception e);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Resuming tracked {Type} call {Call} (finished: {Done})")]
    private partial void LogResuming(string type, string call, bool done);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "{Type} failed")]
    private partial void LogPoStFailed(string type, Exception e);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "Shutdown requested")]
    private partial void LogShutdown();
}
