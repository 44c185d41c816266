using Kiln.Api.Types;

namespace Kiln.Stores.Index;

/// <summary>The sector index in memory (Lotus <c>MemIndex</c>); lost on restart.</summary>
public sealed class MemSectorIndex(TimeProvider? time = null) : ISectorIndex
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _lock = new();
    private readonly Dictionary<StorageId, IndexedPath> _paths = [];
    private readonly Dictionary<(SectorId Sector, SectorFileType Type), List<SectorDecl>> _sectors = [];

    public Task StorageAttachAsync(StorageInfo info, FsStat stat, CancellationToken ct)
    {
        lock (_lock)
        {
            _paths[info.ID] = _paths.TryGetValue(info.ID, out var existing)
                ? IndexRules.Merge(existing, info)
                : IndexRules.NewPath(info, stat, _time.GetUtcNow());
        }

        return Task.CompletedTask;
    }

    public Task StorageDetachAsync(StorageId id, string url, CancellationToken ct)
    {
        lock (_lock)
        {
            var kept = IndexRules.Detach(Get(id), url);
            if (kept is not null)
            {
                _paths[id] = kept;
                return Task.CompletedTask;
            }

            _paths.Remove(id);
            foreach (var (key, decls) in _sectors.ToList())
            {
                if (decls.RemoveAll(d => d.Storage == id) > 0 && decls.Count == 0)
                {
                    _sectors.Remove(key);
                }
            }
        }

        return Task.CompletedTask;
    }

    public Task<StorageInfo> StorageInfoAsync(StorageId id, CancellationToken ct)
    {
        lock (_lock)
        {
            return Task.FromResult(Get(id).Info);
        }
    }

    public Task StorageReportHealthAsync(StorageId id, HealthReport report, CancellationToken ct)
    {
        lock (_lock)
        {
            _paths[id] = IndexRules.ReportHealth(Get(id), report, _time.GetUtcNow());
        }

        return Task.CompletedTask;
    }

    public Task StorageDeclareSectorAsync(StorageId storageId, SectorId sector, SectorFileType fileType, bool primary, CancellationToken ct)
    {
        lock (_lock)
        {
            foreach (var t in SectorFileTypes.AllSet(fileType))
            {
                if (!_sectors.TryGetValue((sector, t), out var decls))
                {
                    _sectors[(sector, t)] = decls = [];
                }

                var at = decls.FindIndex(d => d.Storage == storageId);
                if (at < 0)
                {
                    decls.Add(new SectorDecl(t, storageId, primary));
                }
                else if (primary)
                {
                    decls[at] = decls[at] with { Primary = true };
                }
            }
        }

        return Task.CompletedTask;
    }

    public Task StorageDropSectorAsync(StorageId storageId, SectorId sector, SectorFileType fileType, CancellationToken ct)
    {
        lock (_lock)
        {
            foreach (var t in SectorFileTypes.AllSet(fileType))
            {
                if (_sectors.TryGetValue((sector, t), out var decls)
                    && decls.RemoveAll(d => d.Storage == storageId) > 0
                    && decls.Count == 0)
                {
                    _sectors.Remove((sector, t));
                }
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<SectorStorageInfo>> StorageFindSectorAsync(
        SectorId sector, SectorFileType fileType, ulong sectorSize, bool allowFetch, CancellationToken ct)
    {
        lock (_lock)
        {
            var decls = SectorFileTypes.AllSet(fileType)
                .SelectMany(t => _sectors.TryGetValue((sector, t), out var d) ? d : []);
            IReadOnlyList<SectorStorageInfo> found =
                IndexRules.FindSector(sector, fileType, sectorSize, allowFetch, decls, _paths, _time.GetUtcNow());
            return Task.FromResult(found);
        }
    }

    public Task<IReadOnlyList<StorageInfo>> StorageBestAllocAsync(
        SectorFileType fileType, ulong sectorSize, PathType pathType, ulong miner, CancellationToken ct)
    {
        lock (_lock)
        {
            IReadOnlyList<StorageInfo> best =
                IndexRules.BestAlloc(fileType, sectorSize, pathType, miner, _paths.Values, _time.GetUtcNow());
            return Task.FromResult(best);
        }
    }

    public Task<IReadOnlyDictionary<StorageId, IReadOnlyList<Decl>>> StorageListAsync(CancellationToken ct)
    {
        lock (_lock)
        {
            IReadOnlyDictionary<StorageId, IReadOnlyList<Decl>> list = IndexRules.List(
                _paths.Keys, _sectors.SelectMany(kv => kv.Value.Select(d => (kv.Key.Sector, d))));
            return Task.FromResult(list);
        }
    }

    private IndexedPath Get(StorageId id) =>
        _paths.TryGetValue(id, out var p) ? p : throw new StoragePathNotFoundException($"storage '{id}' isn't registered");
}
