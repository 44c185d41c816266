using System.Text.Json;
using Kiln.Api.Types;
using Kiln.Proofs;

namespace Kiln.Api;

/// <summary>
/// The part of Lotus's <c>api.StorageMiner</c> (api/api_storage.go) that workers and the worker-facing CLI use, served
/// by a miner at <c>/rpc/v0</c> as <c>Filecoin.&lt;Name&gt;</c>: version and auth, the <c>Return*</c> results of
/// asynchronous worker calls (<c>callError</c> null on success, the result zero on failure), and the sector index.
/// </summary>
[RpcNamespace("Filecoin")]
public interface IMinerStorageApi
{
    /// <summary>Build version and <see cref="ApiVersion.Miner"/> (66816), which a lotus-worker requires exactly.</summary>
    [Perm(Permission.Read)]
    Task<ApiVersionInfo> VersionAsync(CancellationToken ct);

    /// <summary>A UUID that changes when the miner restarts (workers poll it every 10 s).</summary>
    [Perm(Permission.Read)]
    Task<Guid> SessionAsync(CancellationToken ct);

    /// <summary>The permissions a JWT grants (<c>["read","write","sign","admin"]</c>).</summary>
    [Perm(Permission.Read)]
    Task<IReadOnlyList<string>> AuthVerifyAsync(string token, CancellationToken ct);

    /// <summary>A new JWT with <paramref name="permissions"/>, as bytes (base64 on the wire).</summary>
    [Perm(Permission.Admin)]
    Task<byte[]> AuthNewAsync(IReadOnlyList<string> permissions, CancellationToken ct);

    /// <summary>The miner actor address, e.g. <c>"f01234"</c>.</summary>
    [Perm(Permission.Read)]
    Task<string> ActorAddressAsync(CancellationToken ct);

    [Perm(Permission.Read)]
    Task<ulong> ActorSectorSizeAsync(string address, CancellationToken ct);

    /// <summary>Registers the worker serving <paramref name="url"/> (<c>http://ip:port/rpc/v0</c>).</summary>
    [Perm(Permission.Admin)]
    Task WorkerConnectAsync(string url, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task<IReadOnlyDictionary<Guid, WorkerStats>> WorkerStatsAsync(CancellationToken ct);

    [Perm(Permission.Admin)]
    Task<IReadOnlyDictionary<Guid, IReadOnlyList<WorkerJob>>> WorkerJobsAsync(CancellationToken ct);

    /// <summary>Ends a tracked call with <c>CallError{Code:0,"task aborted"}</c>.</summary>
    [Perm(Permission.Admin)]
    Task SealingAbortAsync(CallId call, CancellationToken ct);

    /// <summary>The scheduler's diagnostic dump (free-form JSON).</summary>
    [Perm(Permission.Admin)]
    Task<JsonElement> SealingSchedDiagAsync(bool doSched, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task SealingRemoveRequestAsync(Guid schedId, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task ReturnDataCidAsync(CallId callId, PieceInfo pieceInfo, CallError? callError, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task ReturnAddPieceAsync(CallId callId, PieceInfo pieceInfo, CallError? callError, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task ReturnSealPreCommit1Async(CallId callId, byte[]? preCommit1Out, CallError? callError, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task ReturnSealPreCommit2Async(CallId callId, SectorCids cids, CallError? callError, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task ReturnSealCommit1Async(CallId callId, byte[]? commit1Out, CallError? callError, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task ReturnSealCommit2Async(CallId callId, byte[]? proof, CallError? callError, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task ReturnFinalizeSectorAsync(CallId callId, CallError? callError, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task ReturnReleaseUnsealedAsync(CallId callId, CallError? callError, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task ReturnReplicaUpdateAsync(CallId callId, ReplicaUpdateOut output, CallError? callError, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task ReturnProveReplicaUpdate1Async(CallId callId, IReadOnlyList<byte[]>? vanillaProofs, CallError? callError, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task ReturnProveReplicaUpdate2Async(CallId callId, byte[]? proof, CallError? callError, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task ReturnGenerateSectorKeyFromDataAsync(CallId callId, CallError? callError, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task ReturnFinalizeReplicaUpdateAsync(CallId callId, CallError? callError, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task ReturnMoveStorageAsync(CallId callId, CallError? callError, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task ReturnUnsealPieceAsync(CallId callId, CallError? callError, CancellationToken ct);

    /// <summary>Still served by Lotus, though no worker method produces it any more.</summary>
    [Perm(Permission.Admin)]
    Task ReturnReadPieceAsync(CallId callId, bool ok, CallError? callError, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task ReturnDownloadSectorAsync(CallId callId, CallError? callError, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task ReturnFetchAsync(CallId callId, CallError? callError, CancellationToken ct);

    /// <summary>Adds a path to the index, or merges a new URL into a known path and overwrites its settings.</summary>
    [Perm(Permission.Admin)]
    Task StorageAttachAsync(StorageInfo info, FsStat stat, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task StorageDetachAsync(StorageId id, string url, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task<StorageInfo> StorageInfoAsync(StorageId id, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task StorageReportHealthAsync(StorageId id, HealthReport report, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task StorageDeclareSectorAsync(StorageId storageId, SectorId sector, SectorFileType fileType, bool primary, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task StorageDropSectorAsync(StorageId storageId, SectorId sector, SectorFileType fileType, CancellationToken ct);

    /// <summary>Paths holding the sector's files (and, with <paramref name="allowFetch"/>, paths it could be fetched into).</summary>
    [Perm(Permission.Admin)]
    Task<IReadOnlyList<SectorStorageInfo>> StorageFindSectorAsync(SectorId sector, SectorFileType fileType, ulong sectorSize, bool allowFetch, CancellationToken ct);

    /// <summary>Paths to allocate new files in, best first; fails with "no good path found" when there is none.</summary>
    [Perm(Permission.Admin)]
    Task<IReadOnlyList<StorageInfo>> StorageBestAllocAsync(SectorFileType allocate, ulong sectorSize, PathType pathType, ulong minerId, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task StorageLockAsync(SectorId sector, SectorFileType read, SectorFileType write, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task<bool> StorageTryLockAsync(SectorId sector, SectorFileType read, SectorFileType write, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task<IReadOnlyDictionary<StorageId, IReadOnlyList<Decl>>> StorageListAsync(CancellationToken ct);

    [Perm(Permission.Admin)]
    Task<SectorLocks> StorageGetLocksAsync(CancellationToken ct);

    [Perm(Permission.Admin)]
    Task<IReadOnlyDictionary<StorageId, string>> StorageLocalAsync(CancellationToken ct);

    [Perm(Permission.Admin)]
    Task<FsStat> StorageStatAsync(StorageId id, CancellationToken ct);

    /// <summary>Verifies tokens presented to the miner's <c>/remote</c> store (= <see cref="AuthVerifyAsync"/> by default).</summary>
    [Perm(Permission.Read)]
    Task<IReadOnlyList<string>> StorageAuthVerifyAsync(string token, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task StorageAddLocalAsync(string path, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task StorageDetachLocalAsync(string path, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task StorageRedeclareLocalAsync(StorageId? id, bool dropMissing, CancellationToken ct);

    /// <summary>Sectors that cannot be proven, by sector number, with the reason.</summary>
    [Perm(Permission.Admin)]
    Task<IReadOnlyDictionary<ulong, string>> CheckProvableAsync(RegisteredPoStProof proofType, IReadOnlyList<SectorRef> sectors, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task<PieceInfo> ComputeDataCidAsync(ulong pieceSize, Stream pieceData, CancellationToken ct);
}
