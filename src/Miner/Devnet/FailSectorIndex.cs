using Kiln.Api.Types;
using Kiln.Stores.Index;

namespace Kiln.Miner.Devnet;

/// <summary>
/// The devnet miner's sector index as PoSt readers see it: a sector of <see cref="DevnetSectorFailures"/> that is no
/// longer being sealed (<paramref name="sealing"/> false: Proving, or a sector kiln-miner did not seal) has no readable
/// sealed or cache files — <see cref="StorageFindSectorAsync"/> for any replica file of it fails with the
/// <see cref="DevnetSectorFailures.Unreadable"/> error. A sector still sealing keeps its files, so its workers can finish
/// it; everything else is <paramref name="inner"/>'s.
/// </summary>
internal sealed class FailSectorIndex(ISectorIndex inner, DevnetSectorFailures failures, Func<ulong, CancellationToken, Task<bool>> sealing) : ISectorIndex
{
    private const SectorFileType Replica = SectorFileType.Sealed | SectorFileType.Cache | SectorFileType.Update | SectorFileType.UpdateCache;

    public async Task<IReadOnlyList<SectorStorageInfo>> StorageFindSectorAsync(SectorId sector, SectorFileType fileType, ulong sectorSize, bool allowFetch, CancellationToken ct)
    {
        if ((fileType & Replica) != 0 && failures.IsFailed(sector.Number) && !await sealing(sector.Number, ct).ConfigureAwait(false))
        {
            throw DevnetSectorFailures.Unreadable(sector);
        }

        return await inner.StorageFindSectorAsync(sector, fileType, sectorSize, allowFetch, ct).ConfigureAwait(false);
    }

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
