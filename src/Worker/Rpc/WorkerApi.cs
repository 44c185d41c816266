using System.Diagnostics;
using Kiln.Api;
using Kiln.Api.JsonRpc;
using Kiln.Api.Metrics;
using Kiln.Api.Types;
using Kiln.Proofs;
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
/// <c>worker</c>), the JSON-RPC surface only: identity and session, resources, task types, local storage, and the
/// sealing steps, each handed to the <see cref="CallRunner"/>, which answers a <see cref="CallId"/> at once, runs the
/// step in the background and reports through the miner's <c>Return*</c>.
/// </summary>
public sealed partial class WorkerApi : IWorkerApi, IAsyncDisposable
{
    private readonly WorkerOptions _options;
    private readonly LocalStore _store;
    private readonly SealingTasks _tasks;
    private readonly PartitionProver? _post;
    private readonly CallRunner _calls;
    private readonly Func<string, string?> _environment;
    private readonly ILogger _log;
    private readonly SemaphoreSlim _fetchLimit;
    private readonly WorkerMetrics? _metrics;
    private readonly Lock _lock = new();
    private readonly HashSet<TaskType> _enabledTasks;
    private readonly Lazy<IReadOnlyList<string>> _gpus;
    private bool _enabled = true;
    private bool _closing;

    /// <summary>The RPC surface over the worker's storage, sealing steps and PoSt prover.</summary>
    /// <param name="options">The worker's validated options (name, task types, fetch limit, host paths).</param>
    /// <param name="store">The worker's local storage.</param>
    /// <param name="tasks">The sealing steps the asynchronous calls run.</param>
    /// <param name="calls">Runs the asynchronous calls and reports their results; this API disposes it.</param>
    /// <param name="environment">Reads environment variables (the resource table's overrides).</param>
    /// <param name="logger">Shutdown requests and PoSt failures.</param>
    /// <param name="labelPool">The PC1 label pool's layout, when the worker has one.</param>
    /// <param name="post">The PoSt prover, on a PoSt worker.</param>
    /// <param name="metrics">Task counts and durations of the synchronous PoSt calls.</param>
    public WorkerApi(
        WorkerOptions options,
        LocalStore store,
        SealingTasks tasks,
        CallRunner calls,
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
        _calls = calls;
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
        _calls.StartReadingAsync(sector, TaskType.AddPiece, ReturnType.AddPiece, pieceData, async t => await _tasks.AddPieceAsync(sector, pieceSizes, newPieceSize, pieceData, t).ConfigureAwait(false), ct);

    public Task<CallId> SealPreCommit1Async(SectorRef sector, byte[] ticket, IReadOnlyList<PieceInfo> pieces, CancellationToken ct) =>
        _calls.StartAsync(sector, TaskType.PreCommit1, ReturnType.SealPreCommit1, async t => await _tasks.PreCommit1Async(sector, ticket, pieces, t).ConfigureAwait(false), ct);

    public Task<CallId> FinalizeSectorAsync(SectorRef sector, CancellationToken ct) =>
        _calls.StartAsync(sector, TaskType.Finalize, ReturnType.FinalizeSector, async t =>
        {
            await _tasks.FinalizeAsync(sector, t).ConfigureAwait(false);
            return null;
        }, ct);

    public Task<CallId> FetchAsync(SectorRef sector, SectorFileType fileType, PathType pathType, AcquireMode mode, CancellationToken ct) =>
        _calls.StartAsync(sector, TaskType.Fetch, ReturnType.Fetch, async t =>
        {
            await _fetchLimit.WaitAsync(t).ConfigureAwait(false);
            try
            {
                await _tasks.FetchAsync(sector, fileType, pathType, mode, t).ConfigureAwait(false);
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
        _calls.StartReadingAsync(default, TaskType.DataCid, ReturnType.DataCid, pieceData, async t => await SealingTasks.DataCidAsync(pieceSize, pieceData, t).ConfigureAwait(false), ct);

    public Task<CallId> SealPreCommit2Async(SectorRef sector, byte[] preCommit1Out, CancellationToken ct) =>
        _calls.StartAsync(sector, TaskType.PreCommit2, ReturnType.SealPreCommit2, async t => await _tasks.PreCommit2Async(sector, preCommit1Out, t).ConfigureAwait(false), ct);

    public Task<CallId> SealCommit1Async(SectorRef sector, byte[] ticket, byte[] seed, IReadOnlyList<PieceInfo> pieces, SectorCids cids, CancellationToken ct) =>
        _calls.StartAsync(sector, TaskType.Commit1, ReturnType.SealCommit1, async t => await _tasks.Commit1Async(sector, ticket, seed, pieces, cids, t).ConfigureAwait(false), ct);

    public Task<CallId> SealCommit2Async(SectorRef sector, byte[] commit1Out, CancellationToken ct) =>
        _calls.StartAsync(sector, TaskType.Commit2, ReturnType.SealCommit2, async t => await _tasks.Commit2Async(sector, commit1Out, t).ConfigureAwait(false), ct);

    public Task<CallId> FinalizeReplicaUpdateAsync(SectorRef sector, CancellationToken ct) => throw NotAvailable(TaskType.FinalizeReplicaUpdate);

    public Task<CallId> ReplicaUpdateAsync(SectorRef sector, IReadOnlyList<PieceInfo> pieces, CancellationToken ct) => throw NotAvailable(TaskType.ReplicaUpdate);

    public Task<CallId> ProveReplicaUpdate1Async(SectorRef sector, Cid sectorKey, Cid newSealed, Cid newUnsealed, CancellationToken ct) =>
        throw NotAvailable(TaskType.ProveReplicaUpdate1);

    public Task<CallId> ProveReplicaUpdate2Async(SectorRef sector, Cid sectorKey, Cid newSealed, Cid newUnsealed, IReadOnlyList<byte[]> vanillaProofs, CancellationToken ct) =>
        throw NotAvailable(TaskType.ProveReplicaUpdate2);

    public Task<CallId> GenerateSectorKeyFromDataAsync(SectorRef sector, Cid commD, CancellationToken ct) => throw NotAvailable(TaskType.RegenSectorKey);

    public Task<CallId> ReleaseUnsealedAsync(SectorRef sector, IReadOnlyList<UnpaddedRange> keepUnsealed, CancellationToken ct) =>
        _calls.StartAsync(sector, TaskType.FinalizeUnsealed, ReturnType.ReleaseUnsealed, async t =>
        {
            await _tasks.ReleaseUnsealedAsync(sector, keepUnsealed ?? [], t).ConfigureAwait(false);
            return null;
        }, ct);

    /// <summary>Lotus runs MoveStorage under no task type of its own: the miner schedules it as a fetch (GET).</summary>
    public Task<CallId> MoveStorageAsync(SectorRef sector, SectorFileType types, CancellationToken ct) =>
        _calls.StartAsync(sector, TaskType.Fetch, ReturnType.MoveStorage, async t =>
        {
            await _tasks.MoveStorageAsync(sector, types, t).ConfigureAwait(false);
            return null;
        }, ct);

    public Task<CallId> UnsealPieceAsync(SectorRef sector, ulong offset, ulong size, byte[] randomness, Cid commD, CancellationToken ct) =>
        _calls.StartAsync(sector, TaskType.Unseal, ReturnType.UnsealPiece, async t =>
        {
            await _tasks.UnsealPieceAsync(sector, offset, size, randomness, commD, t).ConfigureAwait(false);
            return null;
        }, ct);

    public Task<CallId> DownloadSectorDataAsync(SectorRef sector, bool finalized, IReadOnlyDictionary<SectorFileType, SectorLocation> source, CancellationToken ct) =>
        _calls.StartAsync(sector, TaskType.DownloadSector, ReturnType.DownloadSector, async t =>
        {
            await _tasks.DownloadSectorDataAsync(sector, finalized, source ?? new Dictionary<SectorFileType, SectorLocation>(), t).ConfigureAwait(false);
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
            await _store.RemoveAsync(sector, t, force: true, keepIn: [], ct).ConfigureAwait(false);
        }
    }

    public Task<IReadOnlyDictionary<StorageId, string>> StorageLocalAsync(CancellationToken ct) => Task.FromResult(_store.Local());

    public async Task StorageAddLocalAsync(string path, CancellationToken ct) =>
        await StoresRpc.RunAsync(() => _store.AttachAsync(HomeDir.Expand(path), init: false, ct: ct)).ConfigureAwait(false);

    public Task StorageDetachLocalAsync(string path, CancellationToken ct) =>
        StoresRpc.RunAsync(() => _store.DetachAsync(HomeDir.Expand(path), ct));

    public async Task StorageDetachAllAsync(CancellationToken ct)
    {
        foreach (var root in _store.Local().Values)
        {
            await StoresRpc.RunAsync(() => _store.ClosePathAsync(root, ct)).ConfigureAwait(false);
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

    /// <summary>Completes when no call is executing (the worker waits for this before registering with a miner).</summary>
    public Task WaitQuietAsync(CancellationToken ct) => _calls.WaitQuietAsync(ct);

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

    /// <summary>Stops the calls' background work; unfinished calls stay in the tracker (answered with 101 on the next start).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_calls is not null)
        {
            await _calls.DisposeAsync().ConfigureAwait(false);
        }

        _fetchLimit.Dispose();
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
            var proofs = await prove(_post).ConfigureAwait(false);
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

    [LoggerMessage(EventId = 7100, EventName = "PoStFailed", Level = LogLevel.Warning, Message = "{Type} failed")]
    private partial void LogPoStFailed(string type, Exception e);

    [LoggerMessage(EventId = 7101, EventName = "Shutdown", Level = LogLevel.Warning, Message = "Shutdown requested")]
    private partial void LogShutdown();
}
