using Kiln.Api.Types;

namespace Kiln.Stores.Local;

/// <summary>An opened storage path (Lotus <c>path</c>): its root, settings and current reservations.</summary>
internal sealed class LocalPath(string root, LocalStorageMeta meta)
{
    public string Root { get; } = root;

    public LocalStorageMeta Meta { get; } = meta;

    public StorageId Id => Meta.ID;

    /// <summary>Reserved bytes per (sector, single type); guarded by the store's lock.</summary>
    public Dictionary<(SectorId Sector, SectorFileType Type), long> Reservations { get; } = [];

    public string SectorPath(SectorId sector, SectorFileType single) => SectorPathGuard.SectorPath(Root, sector, single);
}
