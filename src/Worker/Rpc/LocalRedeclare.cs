using Kiln.Api.Types;
using Kiln.Stores.Local;

namespace Kiln.Worker.Rpc;

/// <summary>
/// Lotus <c>Local.Redeclare</c>: announces open paths to the index again and declares every sector file in them
/// (after a miner restart, or <c>storage redeclare</c>); with dropMissing, declarations of files gone from disk are dropped.
/// </summary>
public static class LocalRedeclare
{
    public static async Task RunAsync(LocalStore store, StorageId? only, bool dropMissing, CancellationToken ct)
    {
        var index = store.Index;
        foreach (var (id, root) in store.Local())
        {
            if (only is { } wanted && wanted != id)
            {
                continue;
            }

            var meta = await LocalStorageMeta.LoadAsync(root, ct);
            await index.StorageAttachAsync(meta.ToStorageInfo(store.Urls), await store.FsStatAsync(id, ct), ct);
            foreach (var t in SectorFileTypes.Singles)
            {
                var dir = Path.Combine(root, SectorFileTypes.NameOf(t)!);
                if (!Directory.Exists(dir))
                {
                    continue;
                }

                foreach (var name in Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal))
                {
                    if (SectorId.TryParseSectorName(name, out var sector))
                    {
                        await index.StorageDeclareSectorAsync(id, sector, t, meta.CanStore, ct);
                    }
                }
            }

            if (dropMissing && (await index.StorageListAsync(ct)).TryGetValue(id, out var decls))
            {
                foreach (var decl in decls)
                {
                    var sector = new SectorId(decl.Miner, decl.Number);
                    foreach (var t in SectorFileTypes.AllSet(decl.SectorFileType))
                    {
                        var file = Path.Combine(root, SectorFileTypes.NameOf(t)!, sector.ToSectorName());
                        if (!File.Exists(file) && !Directory.Exists(file))
                        {
                            await index.StorageDropSectorAsync(id, sector, t, ct);
                        }
                    }
                }
            }
        }
    }
}
