using Kiln.Api.Types;
using Kiln.Stores.Index;

namespace Kiln.Miner.Devnet;

/// <summary>
/// The devnet miner's sector index as PoSt readers see it: <see cref="DevnetSectorFailures"/>' sectors have no readable
/// sealed or cache files — <see cref="StorageFindSectorAsync"/> for any replica file of one throws the
/// <see cref="DevnetSectorFailures.Unreadable"/> error — and everything else is <paramref name="inner"/>'s.
/// </summary>
internal sealed class FailSectorIndex(ISectorIndex inner, DevnetSectorFailures failures) : ISectorIndex
{
    private const SectorFileType Replica = SectorFileType.Sealed | SectorFileType.Cache | SectorFileType.Update | SectorFileType.UpdateCache;

    public Task<IReadOnlyList<SectorStorageInfo>> StorageFindSectorAsync(SectorId sector, SectorFileType fileType, ulong sectorSize, bool allowFetch, CancellationToken ct) =>
        (fileType & Replica) != 0 && failures.IsFailed(sector.Number)
            ? Task.FromException<IReadOnlyList<SectorStorageInfo>>(DevnetSectorFailures.Unreadable(sector))
            : inner.StorageFindSectorAsync(sector, fileType, sectorSize, allowFetch, ct);

    public Task StorageAttachAsync(StorageInfo info, FsStat stat, CancellationToken ct) => inner.StorageAttachAsync(info, stat, ct);

    public Task StorageDetachAsync(StorageId id, string url, CancellationToken ct) => inner.StorageDetachAsync(id, url, ct);

    public Task<StorageInfo> StorageInfoAsync(StorageId id, CancellationToken ct) => inner.StorageInfoAsync(id, ct);

    public Task StorageReportHealthAsync(StorageId id, HealthReport report, CancellationToken ct) => inner.StorageReportHealthAsync(id, report, ct);

    public Task StorageDeclareSectorAsync(StorageId storageId, SectorId sector, SectorFileType fileType, bool primary, CancellationToken ct) =>
        inner.StorageDeclareSectorAsync(storageId, sector, fileType, primary, ct);

    public Task StorageDropSectorAsync(StorageId storageId, SectorId sector, SectorFileType fileType, CancellationToken ct) =>
        inner.StorageDropSectorAsync(storageId, sector, fileType, ct);

    public Task<IReadOnlyList<StorageInfo>> StorageBestAllocAsync(SectorFileType fileType, ulong sectorSize, PathType pathType, ulong miner, CancellationToken ct) =>
        inner.StorageBestAllocAsync(fileType, sectorSize, pathType, miner, ct);

    public Task<IReadOnlyDictionary<StorageId, IReadOnlyList<Decl>>> StorageListAsync(CancellationToken ct) => inner.StorageListAsync(ct);
}
