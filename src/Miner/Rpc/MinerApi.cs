using System.Text;
using System.Text.Json;
using Kiln.Api;
using Kiln.Api.Auth;
using Kiln.Api.JsonRpc;
using Kiln.Api.Types;
using Kiln.Miner.Calls;
using Kiln.Miner.Sealing;
using Kiln.Miner.Workers;
using Kiln.Proofs;
using Kiln.Stores;
using Kiln.Stores.Index;
using Kiln.Stores.Local;

namespace Kiln.Miner.Rpc;

/// <summary>
/// The miner side of the Lotus worker protocol (<see cref="IMinerStorageApi"/>): version and session,
/// tokens, worker registration, the Return* family and the sector index.
/// </summary>
public sealed partial class MinerApi(MinerOptions options, ApiSecret secret, WorkerRegistry workers, CallRegistry calls, WorkStore works, ISectorIndex index, LocalStore store, ILogger<MinerApi>? logger = null, SealingManager? sealing = null, Kiln.Stores.Locks.SectorLockTable? locks = null) : IMinerStorageApi
{
    private readonly Kiln.Stores.Locks.SectorLockTable _locks = locks ?? new Kiln.Stores.Locks.SectorLockTable();

    private readonly ILogger _logger = logger ?? (ILogger)Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    /// <summary>Changes every time the miner process starts; workers watch it to notice restarts.</summary>
    public Guid SessionId { get; } = Guid.NewGuid();

    /// <summary>The results workers have returned, read-only for callers (cluster tests wait on it).</summary>
    public CallRegistry Calls => calls;

    public static string AgentVersion => "kiln-miner+" + (typeof(MinerApi).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");

    public Task<ApiVersionInfo> VersionAsync(CancellationToken ct) =>
        Task.FromResult(new ApiVersionInfo(AgentVersion, ApiVersion.Miner, options.BlockDelay, AgentVersion));

    public Task<Guid> SessionAsync(CancellationToken ct) => Task.FromResult(SessionId);

    public Task<IReadOnlyList<string>> AuthVerifyAsync(string token, CancellationToken ct) => Task.FromResult(secret.Verify(token));

    public Task<IReadOnlyList<string>> StorageAuthVerifyAsync(string token, CancellationToken ct) => AuthVerifyAsync(token, ct);

    public Task<byte[]> AuthNewAsync(IReadOnlyList<string> permissions, CancellationToken ct)
    {
        foreach (var p in permissions)
        {
            if (!Permission.All.Contains(p))
            {
                throw new RpcException(RpcErrorCodes.Application, $"unknown permission '{p}'");
            }
        }

        return Task.FromResult(Encoding.ASCII.GetBytes(secret.CreateToken(permissions)));
    }

    public Task<string> ActorAddressAsync(CancellationToken ct) => Task.FromResult(options.ActorAddress);

    public Task<ulong> ActorSectorSizeAsync(string address, CancellationToken ct)
    {
        if (address.Length < 2 || address[1..] != options.ActorAddress[1..])
        {
            throw new RpcException(RpcErrorCodes.Application, $"actor {address} is not this miner ({options.ActorAddress})");
        }

        return Task.FromResult(options.SectorBytes);
    }

    public async Task WorkerConnectAsync(string url, CancellationToken ct) => await workers.ConnectAsync(url, ct).ConfigureAwait(false);

    public Task<IReadOnlyDictionary<Guid, WorkerStats>> WorkerStatsAsync(CancellationToken ct)
    {
        IReadOnlyDictionary<Guid, WorkerStats> stats = workers.Workers.ToDictionary(
            w => w.Id,
            w => new WorkerStats(w.Info, [.. w.Tasks.OrderBy(TaskTypes.Order)], w.Enabled, 0, 0, 0, 0, new Dictionary<string, int>()));
        return Task.FromResult(stats);
    }

    public Task<IReadOnlyDictionary<Guid, IReadOnlyList<WorkerJob>>> WorkerJobsAsync(CancellationToken ct) =>
        Task.FromResult<IReadOnlyDictionary<Guid, IReadOnlyList<WorkerJob>>>(new Dictionary<Guid, IReadOnlyList<WorkerJob>>());

    public Task SealingAbortAsync(CallId call, CancellationToken ct) => Return(call, null, new CallError(CallError.ErrUnknown, "task aborted"));

    public Task<JsonElement> SealingSchedDiagAsync(bool doSched, CancellationToken ct)
    {
        var diag = new { Workers = workers.Workers.Select(w => new { w.Id, w.Info.Hostname, w.Enabled, Kind = w.Kind.ToString() }), PendingCalls = calls.Pending.Count };
        return Task.FromResult(JsonSerializer.SerializeToElement(diag, ApiJson.Options));
    }

    public Task SealingRemoveRequestAsync(Guid schedId, CancellationToken ct) =>
        throw new RpcException(RpcErrorCodes.Application, $"no scheduler request {schedId}");

    // The Return* family: the worker reports a call's result (or error) by its CallID.
    public Task ReturnDataCidAsync(CallId callId, PieceInfo pieceInfo, CallError? callError, CancellationToken ct) => Return(callId, pieceInfo, callError);

    public Task ReturnAddPieceAsync(CallId callId, PieceInfo pieceInfo, CallError? callError, CancellationToken ct) => Return(callId, pieceInfo, callError);

    public Task ReturnSealPreCommit1Async(CallId callId, byte[]? preCommit1Out, CallError? callError, CancellationToken ct) => Return(callId, preCommit1Out, callError);

    public Task ReturnSealPreCommit2Async(CallId callId, SectorCids cids, CallError? callError, CancellationToken ct) => Return(callId, cids, callError);

    public Task ReturnSealCommit1Async(CallId callId, byte[]? commit1Out, CallError? callError, CancellationToken ct) => Return(callId, commit1Out, callError);

    public Task ReturnSealCommit2Async(CallId callId, byte[]? proof, CallError? callError, CancellationToken ct) => Return(callId, proof, callError);

    public Task ReturnFinalizeSectorAsync(CallId callId, CallError? callError, CancellationToken ct) => Return(callId, null, callError);

    public Task ReturnReleaseUnsealedAsync(CallId callId, CallError? callError, CancellationToken ct) => Return(callId, null, callError);

    public Task ReturnReplicaUpdateAsync(CallId callId, ReplicaUpdateOut output, CallError? callError, CancellationToken ct) => Return(callId, output, callError);

    public Task ReturnProveReplicaUpdate1Async(CallId callId, IReadOnlyList<byte[]>? vanillaProofs, CallError? callError, CancellationToken ct) => Return(callId, vanillaProofs, callError);

    public Task ReturnProveReplicaUpdate2Async(CallId callId, byte[]? proof, CallError? callError, CancellationToken ct) => Return(callId, proof, callError);

    public Task ReturnGenerateSectorKeyFromDataAsync(CallId callId, CallError? callError, CancellationToken ct) => Return(callId, null, callError);

    public Task ReturnFinalizeReplicaUpdateAsync(CallId callId, CallError? callError, CancellationToken ct) => Return(callId, null, callError);

    public Task ReturnMoveStorageAsync(CallId callId, CallError? callError, CancellationToken ct) => Return(callId, null, callError);

    public Task ReturnUnsealPieceAsync(CallId callId, CallError? callError, CancellationToken ct) => Return(callId, null, callError);

    public Task ReturnReadPieceAsync(CallId callId, bool ok, CallError? callError, CancellationToken ct) => Return(callId, ok, callError);

    public Task ReturnDownloadSectorAsync(CallId callId, CallError? callError, CancellationToken ct) => Return(callId, null, callError);

    public Task ReturnFetchAsync(CallId callId, CallError? callError, CancellationToken ct) => Return(callId, null, callError);

    // The sector index, served to workers.
    public Task StorageAttachAsync(StorageInfo info, FsStat stat, CancellationToken ct) => index.StorageAttachAsync(info, stat, ct);

    public Task StorageDetachAsync(StorageId id, string url, CancellationToken ct) => index.StorageDetachAsync(id, url, ct);

    public Task<StorageInfo> StorageInfoAsync(StorageId id, CancellationToken ct) => index.StorageInfoAsync(id, ct);

    public Task StorageReportHealthAsync(StorageId id, HealthReport report, CancellationToken ct) => index.StorageReportHealthAsync(id, report, ct);

    public Task StorageDeclareSectorAsync(StorageId storageId, SectorId sector, SectorFileType fileType, bool primary, CancellationToken ct) =>
        index.StorageDeclareSectorAsync(storageId, sector, fileType, primary, ct);

    public Task StorageDropSectorAsync(StorageId storageId, SectorId sector, SectorFileType fileType, CancellationToken ct) =>
        index.StorageDropSectorAsync(storageId, sector, fileType, ct);

    public Task<IReadOnlyList<SectorStorageInfo>> StorageFindSectorAsync(SectorId sector, SectorFileType fileType, ulong sectorSize, bool allowFetch, CancellationToken ct) =>
        index.StorageFindSectorAsync(sector, fileType, sectorSize, allowFetch, ct);

    public Task<IReadOnlyList<StorageInfo>> StorageBestAllocAsync(SectorFileType allocate, ulong sectorSize, PathType pathType, ulong minerId, CancellationToken ct) =>
        index.StorageBestAllocAsync(allocate, sectorSize, pathType, minerId, ct);

    public Task<IReadOnlyDictionary<StorageId, IReadOnlyList<Decl>>> StorageListAsync(CancellationToken ct) => index.StorageListAsync(ct);

    // The sector locks the sealing manager holds around its tasks (Lotus storage/paths/index_locks.go). Lotus holds a
    // StorageLock/StorageTryLock until the caller's context ends, and go-jsonrpc ends a call's context when the call
    // returns: over JSON-RPC a lock lives for the call. StorageLock waits until the types are free (or the caller goes
    // away), takes them and releases them as it answers; StorageTryLock answers whether they were free.

    /// <summary>Waits until <paramref name="read"/> can be read-locked and <paramref name="write"/> write-locked on the sector (held for the call).</summary>
    public async Task StorageLockAsync(SectorId sector, SectorFileType read, SectorFileType write, CancellationToken ct)
    {
        CheckLockTypes(sector, read, write);
        if ((read | write) == SectorFileType.None)
        {
            throw new RpcException(RpcErrorCodes.Application, $"sector {sector.Number}: failed to acquire lock (no file type to lock)");
        }

        using var held = await _locks.LockAsync(sector, read, write, ct).ConfigureAwait(false);
    }

    /// <summary>True when the locks were free (taken and released with the call); false when any is held in a conflicting way.</summary>
    public Task<bool> StorageTryLockAsync(SectorId sector, SectorFileType read, SectorFileType write, CancellationToken ct)
    {
        CheckLockTypes(sector, read, write);
        using var held = (read | write) == SectorFileType.None ? null : _locks.TryLock(sector, read, write);
        return Task.FromResult(held is not null);
    }

    /// <summary>Every sector with a lock held, with Lotus's per-type read and write counts.</summary>
    public Task<SectorLocks> StorageGetLocksAsync(CancellationToken ct) => Task.FromResult(_locks.Snapshot());

    private static void CheckLockTypes(SectorId sector, SectorFileType read, SectorFileType write)
    {
        if (((read | write) & ~SectorFileType.All) != 0)
        {
            throw new RpcException(RpcErrorCodes.Application, $"sector {sector.Number}: unknown file types specified (read {(int)read}, write {(int)write})");
        }
    }

    // The miner's own storage paths (lotus-miner storage attach/detach/redeclare).
    public Task<IReadOnlyDictionary<StorageId, string>> StorageLocalAsync(CancellationToken ct) => Task.FromResult(store.Local());

    public Task<FsStat> StorageStatAsync(StorageId id, CancellationToken ct) => StoresRpc.RunAsync(() => store.FsStatAsync(id, ct));

    public Task StorageAddLocalAsync(string path, CancellationToken ct) => StoresRpc.RunAsync(() => store.AttachAsync(HomeDir.Expand(path), init: false, ct: ct));

    public Task StorageDetachLocalAsync(string path, CancellationToken ct) => StoresRpc.RunAsync(() => store.DetachAsync(HomeDir.Expand(path), ct));

    public Task StorageRedeclareLocalAsync(StorageId? id, bool dropMissing, CancellationToken ct) => StoresRpc.RunAsync(() => store.RedeclareAsync(id, dropMissing, ct));

    public Task<IReadOnlyDictionary<ulong, string>> CheckProvableAsync(RegisteredPoStProof proofType, IReadOnlyList<SectorRef> sectors, CancellationToken ct) =>
        throw new RpcException(RpcErrorCodes.Application, "kiln-miner does not support CheckProvable (lotus-miner proving check); the Skipped column of 'kiln-miner proving deadlines' counts the sectors each deadline's last Window PoSt could not read");

    /// <summary>Lotus <c>StorageMinerAPI.ComputeDataCid</c>: scheduled as DC on a worker (<see cref="SealingManager.DataCidAsync"/>).</summary>
    public async Task<PieceInfo> ComputeDataCidAsync(ulong pieceSize, Stream pieceData, CancellationToken ct)
    {
        var manager = sealing ?? throw new RpcException(RpcErrorCodes.Application, "this kiln-miner has no sealing manager to compute data CIDs on");
        try
        {
            return await manager.DataCidAsync(pieceSize, pieceData, ct).ConfigureAwait(false);
        }
        catch (SealingException e)
        {
            throw new RpcException(RpcErrorCodes.Application, e.Message);
        }
    }

    /// <summary>
    /// A result for a call: written to the work store first (when it is a persisted work) so that the
    /// worker, once told it was delivered, may forget it; then handed to whoever waits. A late result — for a call the
    /// miner gave up when it lost the worker — is accepted (Lotus's returnResult accepts results for calls nobody
    /// waits for) and either kept for the work's next dispatch or dropped; a second result for a call is refused.
    /// </summary>
    private async Task Return(CallId callId, object? value, CallError? error)
    {
        value = error is null ? value : null;
        if (calls.TakeLate(callId))
        {
            // Given up in this process: the store knows the call if it was a persisted work.
            LogLate(await works.KeepLateAsync(callId, value, error, CancellationToken.None).ConfigureAwait(false), callId, error);
            return;
        }

        if (!await works.CompleteAsync(callId, value, error, CancellationToken.None).ConfigureAwait(false))
        {
            // Given up by a previous miner process: only the store remembers it.
            var late = await works.KeepLateAsync(callId, value, error, CancellationToken.None).ConfigureAwait(false);
            if (late != LateReturn.Unknown && calls.MarkReported(callId))
            {
                LogLate(late, callId, error);
                return;
            }
        }

        try
        {
            calls.Complete(callId, value, error);
        }
        catch (InvalidOperationException e)
        {
            throw new RpcException(RpcErrorCodes.Application, e.Message);
        }
    }

    private void LogLate(LateReturn late, CallId callId, CallError? error)
    {
        if (late == LateReturn.Kept)
        {
            Log.LateKept(_logger, callId.ID, callId.Sector.Number);
        }
        else
        {
            Log.LateDropped(_logger, callId.ID, callId.Sector.Number, error?.Message ?? "succeeded");
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5300, EventName = "LateResultKept", Level = LogLevel.Information, Message = "late result for call {Call} (sector {Sector}), given up with its lost worker: kept for the work's next dispatch")]
        public static partial void LateKept(ILogger logger, Guid call, ulong sector);

        [LoggerMessage(EventId = 5301, EventName = "LateResultDropped", Level = LogLevel.Information, Message = "late result for call {Call} (sector {Sector}), given up with its lost worker: accepted and dropped ({Outcome})")]
        public static partial void LateDropped(ILogger logger, Guid call, ulong sector, string outcome);
    }
}
