using Kiln.Api.Types;

namespace Kiln.Stores.Index;

/// <summary>
/// The sector index (lotus: storage/paths/index.go <c>SectorIndex</c>): which storage paths exist, their health, and
/// which path holds which sector file. Every implementation behaves exactly like Lotus's <c>MemIndex</c>; the miner
/// serves it to workers as the <c>Storage*</c> methods of <see cref="Kiln.Api.IMinerStorageApi"/>.
/// </summary>
public interface ISectorIndex
{
    /// <summary>Adds a path (heartbeat = now), or merges new URLs into a known one and overwrites its settings.</summary>
    Task StorageAttachAsync(StorageInfo info, FsStat stat, CancellationToken ct);

    /// <summary>
    /// Removes <paramref name="url"/> from a path; a path with one URL (which must equal <paramref name="url"/>)
    /// or none is dropped with all its declarations.
    /// </summary>
    Task StorageDetachAsync(StorageId id, string url, CancellationToken ct);

    /// <summary>The path's settings; fails when the id is unknown.</summary>
    Task<StorageInfo> StorageInfoAsync(StorageId id, CancellationToken ct);

    /// <summary>Records the path's <see cref="FsStat"/>, error text and a fresh heartbeat.</summary>
    Task StorageReportHealthAsync(StorageId id, HealthReport report, CancellationToken ct);

    /// <summary>Declares every type of <paramref name="fileType"/> in the path; a redeclaration can only upgrade to primary.</summary>
    Task StorageDeclareSectorAsync(StorageId storageId, SectorId sector, SectorFileType fileType, bool primary, CancellationToken ct);

    Task StorageDropSectorAsync(StorageId storageId, SectorId sector, SectorFileType fileType, CancellationToken ct);

    /// <summary>
    /// Paths holding any type of <paramref name="fileType"/>, with per-sector URLs; with <paramref name="allowFetch"/>
    /// also healthy sealing paths the sector could be fetched into (weight 0).
    /// </summary>
    Task<IReadOnlyList<SectorStorageInfo>> StorageFindSectorAsync(SectorId sector, SectorFileType fileType, ulong sectorSize, bool allowFetch, CancellationToken ct);

    /// <summary>Healthy paths with room for <paramref name="fileType"/>, best (Available × Weight) first.</summary>
    /// <exception cref="StoresException">"no good path found" (retryable).</exception>
    Task<IReadOnlyList<StorageInfo>> StorageBestAllocAsync(SectorFileType fileType, ulong sectorSize, PathType pathType, ulong miner, CancellationToken ct);

    /// <summary>Every known path with the sectors declared in it (types of one sector merged into one mask).</summary>
    Task<IReadOnlyDictionary<StorageId, IReadOnlyList<Decl>>> StorageListAsync(CancellationToken ct);
}
