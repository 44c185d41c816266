using Kiln.Api;
using Kiln.Api.Types;
using Kiln.Stores.Index;

namespace Kiln.Worker.Rpc;

/// <summary>The miner's sector index as a worker sees it: every call goes to the miner's <c>Storage*</c> methods.</summary>
public sealed class MinerSectorIndex(IMinerStorageApi miner) : ISectorIndex
{
    public Task StorageAttachAsync(StorageInfo info, FsStat stat, CancellationToken ct) => miner.StorageAttachAsync(info, stat, ct);

    public Task StorageDetachAsync(StorageId id, string url, CancellationToken ct) => miner.StorageDetachAsync(id, url, ct);

    public Task<StorageInfo> StorageInfoAsync(StorageId id, CancellationToken ct) => miner.StorageInfoAsync(id, ct);

    public Task StorageReportHealthAsync(StorageId id, HealthReport report, CancellationToken ct) => miner.StorageReportHealthAsync(id, report, ct);

    public Task StorageDeclareSectorAsync(StorageId storageId, SectorId sector, SectorFileType fileType, bool primary, CancellationToken ct) =>
        miner.StorageDeclareSectorAsync(storageId, sector, fileType, primary, ct);

    public Task StorageDropSectorAsync(StorageId storageId, SectorId sector, SectorFileType fileType, CancellationToken ct) =>
        miner.StorageDropSectorAsync(storageId, sector, fileType, ct);

    public Task<IReadOnlyList<SectorStorageInfo>> StorageFindSectorAsync(SectorId sector, SectorFileType fileType, ulong sectorSize, bool allowFetch, CancellationToken ct) =>
        miner.StorageFindSectorAsync(sector, fileType, sectorSize, allowFetch, ct);

    public Task<IReadOnlyList<StorageInfo>> StorageBestAllocAsync(SectorFileType fileType, ulong sectorSize, PathType pathType, ulong minerId, CancellationToken ct) =>
        miner.StorageBestAllocAsync(fileType, sectorSize, pathType, minerId, ct);

    public Task<IReadOnlyDictionary<StorageId, IReadOnlyList<Decl>>> StorageListAsync(CancellationToken ct) => miner.StorageListAsync(ct);
}
