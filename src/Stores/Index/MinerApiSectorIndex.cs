using Kiln.Api;
using Kiln.Api.Types;

namespace Kiln.Stores.Index;

/// <summary>
/// A worker's view of the sector index: every call goes to the miner's <c>Storage*</c> methods (Lotus workers hold
/// no index of their own). Pass the JSON-RPC client of <see cref="IMinerStorageApi"/>.
/// </summary>
public sealed class MinerApiSectorIndex(IMinerStorageApi api) : ISectorIndex
{
    public Task StorageAttachAsync(StorageInfo info, FsStat stat, CancellationToken ct) => api.StorageAttachAsync(info, stat, ct);

    public Task StorageDetachAsync(StorageId id, string url, CancellationToken ct) => api.StorageDetachAsync(id, url, ct);

    public Task<StorageInfo> StorageInfoAsync(StorageId id, CancellationToken ct) => api.StorageInfoAsync(id, ct);

    public Task StorageReportHealthAsync(StorageId id, HealthReport report, CancellationToken ct) =>
        api.StorageReportHealthAsync(id, report, ct);

    public Task StorageDeclareSectorAsync(StorageId storageId, SectorId sector, SectorFileType fileType, bool primary, CancellationToken ct) =>
        api.StorageDeclareSectorAsync(storageId, sector, fileType, primary, ct);

    public Task StorageDropSectorAsync(StorageId storageId, SectorId sector, SectorFileType fileType, CancellationToken ct) =>
        api.StorageDropSectorAsync(storageId, sector, fileType, ct);

    public Task<IReadOnlyList<SectorStorageInfo>> StorageFindSectorAsync(
        SectorId sector, SectorFileType fileType, ulong sectorSize, bool allowFetch, CancellationToken ct) =>
        api.StorageFindSectorAsync(sector, fileType, sectorSize, allowFetch, ct);

    public Task<IReadOnlyList<StorageInfo>> StorageBestAllocAsync(
        SectorFileType fileType, ulong sectorSize, PathType pathType, ulong miner, CancellationToken ct) =>
        api.StorageBestAllocAsync(fileType, sectorSize, pathType, miner, ct);

    public Task<IReadOnlyDictionary<StorageId, IReadOnlyList<Decl>>> StorageListAsync(CancellationToken ct) => api.StorageListAsync(ct);
}
