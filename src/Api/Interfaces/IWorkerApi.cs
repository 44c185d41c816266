using Kiln.Api.Types;
using Kiln.Proofs;

namespace Kiln.Api;

/// <summary>
/// Lotus's <c>api.Worker</c> (api/api_worker.go), served by a worker at <c>/rpc/v0</c> as <c>Filecoin.&lt;Name&gt;</c>;
/// every method needs <c>admin</c>. Sealing methods return a <see cref="CallId"/> at once and deliver the result
/// later through the matching <c>Return*</c> of <see cref="IMinerStorageApi"/>. <see cref="Stream"/> parameters are
/// Lotus's <c>storiface.Data</c> readers (ReaderStream on the wire). Piece sizes are unpadded unless named padded.
/// </summary>
[RpcNamespace("Filecoin")]
public interface IWorkerApi
{
    /// <summary>The worker API version, a bare number: <see cref="ApiVersion.Worker"/> (67328).</summary>
    [Perm(Permission.Admin)]
    Task<ApiVersion> VersionAsync(CancellationToken ct);

    /// <summary>The task types this worker accepts (<c>{"seal/v0/precommit/2":{}}</c>).</summary>
    [Perm(Permission.Admin)]
    Task<IReadOnlySet<TaskType>> TaskTypesAsync(CancellationToken ct);

    [Perm(Permission.Admin)]
    Task<IReadOnlyList<StoragePath>> PathsAsync(CancellationToken ct);

    [Perm(Permission.Admin)]
    Task<WorkerInfo> InfoAsync(CancellationToken ct);

    /// <summary>Computes the piece CID of <paramref name="pieceData"/>; result through <c>ReturnDataCid</c>.</summary>
    [Perm(Permission.Admin)]
    Task<CallId> DataCidAsync(ulong pieceSize, Stream pieceData, CancellationToken ct);

    /// <summary>Appends a piece after <paramref name="pieceSizes"/> (unpadded sizes of the pieces already in the sector); result through <c>ReturnAddPiece</c>.</summary>
    [Perm(Permission.Admin)]
    Task<CallId> AddPieceAsync(SectorRef sector, IReadOnlyList<ulong> pieceSizes, ulong newPieceSize, Stream pieceData, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task<CallId> SealPreCommit1Async(SectorRef sector, byte[] ticket, IReadOnlyList<PieceInfo> pieces, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task<CallId> SealPreCommit2Async(SectorRef sector, byte[] preCommit1Out, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task<CallId> SealCommit1Async(SectorRef sector, byte[] ticket, byte[] seed, IReadOnlyList<PieceInfo> pieces, SectorCids cids, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task<CallId> SealCommit2Async(SectorRef sector, byte[] commit1Out, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task<CallId> FinalizeSectorAsync(SectorRef sector, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task<CallId> FinalizeReplicaUpdateAsync(SectorRef sector, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task<CallId> ReplicaUpdateAsync(SectorRef sector, IReadOnlyList<PieceInfo> pieces, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task<CallId> ProveReplicaUpdate1Async(SectorRef sector, Cid sectorKey, Cid newSealed, Cid newUnsealed, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task<CallId> ProveReplicaUpdate2Async(SectorRef sector, Cid sectorKey, Cid newSealed, Cid newUnsealed, IReadOnlyList<byte[]> vanillaProofs, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task<CallId> GenerateSectorKeyFromDataAsync(SectorRef sector, Cid commD, CancellationToken ct);

    /// <summary>Frees the unsealed data outside <paramref name="keepUnsealed"/>; an empty list deletes the unsealed file.</summary>
    [Perm(Permission.Admin)]
    Task<CallId> ReleaseUnsealedAsync(SectorRef sector, IReadOnlyList<UnpaddedRange> keepUnsealed, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task<CallId> MoveStorageAsync(SectorRef sector, SectorFileType types, CancellationToken ct);

    /// <summary>Unseals a piece; <paramref name="offset"/> is an unpadded byte index, <paramref name="size"/> an unpadded piece size.</summary>
    [Perm(Permission.Admin)]
    Task<CallId> UnsealPieceAsync(SectorRef sector, ulong offset, ulong size, byte[] randomness, Cid commD, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task<CallId> FetchAsync(SectorRef sector, SectorFileType fileType, PathType pathType, AcquireMode mode, CancellationToken ct);

    /// <summary>Downloads the files of <paramref name="source"/> (<c>{"2":SectorLocation}</c>) into local storage.</summary>
    [Perm(Permission.Admin)]
    Task<CallId> DownloadSectorDataAsync(SectorRef sector, bool finalized, IReadOnlyDictionary<SectorFileType, SectorLocation> source, CancellationToken ct);

    /// <summary>Synchronous: proves winning PoSt from vanilla proofs of <paramref name="sectors"/>.</summary>
    [Perm(Permission.Admin)]
    Task<IReadOnlyList<PoStProof>> GenerateWinningPoStAsync(RegisteredPoStProof proofType, ulong minerId, IReadOnlyList<PostSectorChallenge> sectors, byte[] randomness, CancellationToken ct);

    /// <summary>Synchronous: proves one proof partition of a window PoSt batch; unreadable sectors come back in <c>Skipped</c>.</summary>
    [Perm(Permission.Admin)]
    Task<WindowPoStResult> GenerateWindowPoStAsync(RegisteredPoStProof proofType, ulong minerId, IReadOnlyList<PostSectorChallenge> sectors, int partitionIndex, byte[] randomness, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task TaskDisableAsync(TaskType taskType, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task TaskEnableAsync(TaskType taskType, CancellationToken ct);

    /// <summary>Removes the sector's sealed, cache and unsealed files everywhere.</summary>
    [Perm(Permission.Admin)]
    Task RemoveAsync(SectorId sector, CancellationToken ct);

    /// <summary>The worker's open paths: storage id to local directory.</summary>
    [Perm(Permission.Admin)]
    Task<IReadOnlyDictionary<StorageId, string>> StorageLocalAsync(CancellationToken ct);

    [Perm(Permission.Admin)]
    Task StorageAddLocalAsync(string path, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task StorageDetachLocalAsync(string path, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task StorageDetachAllAsync(CancellationToken ct);

    /// <summary>Re-attaches and re-declares one path, or every path when <paramref name="id"/> is null.</summary>
    [Perm(Permission.Admin)]
    Task StorageRedeclareLocalAsync(StorageId? id, bool dropMissing, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task SetEnabledAsync(bool enabled, CancellationToken ct);

    [Perm(Permission.Admin)]
    Task<bool> EnabledAsync(CancellationToken ct);

    /// <summary>Returns once no asynchronous task is running.</summary>
    [Perm(Permission.Admin)]
    Task WaitQuietAsync(CancellationToken ct);

    /// <summary>A UUID chosen at process start.</summary>
    [Perm(Permission.Admin)]
    Task<Guid> ProcessSessionAsync(CancellationToken ct);

    /// <summary>The process session (the miner's WorkerID); fails while disabled, nil UUID after shutdown.</summary>
    [Perm(Permission.Admin)]
    Task<Guid> SessionAsync(CancellationToken ct);

    [Perm(Permission.Admin)]
    Task ShutdownAsync(CancellationToken ct);
}
