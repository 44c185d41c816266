using System.Globalization;
using Kiln.Api.Types;

namespace Kiln.Stores.Index;

/// <summary>
/// The decisions of Lotus's <c>MemIndex</c> (storage/paths/index.go), written once for every <see cref="ISectorIndex"/>:
/// implementations only load and store <see cref="IndexedPath"/>s and <see cref="SectorDecl"/>s.
/// </summary>
internal static class IndexRules
{
    /// <summary>Lotus <c>SkippedHeartbeatThresh</c>: 5 × the 10 s heartbeat interval.</summary>
    public static readonly TimeSpan SkippedHeartbeatThreshold = TimeSpan.FromSeconds(50);

    /// <summary>A new entry for an attach of an unknown id: invalid type names dropped, heartbeat now.</summary>
    public static IndexedPath NewPath(StorageInfo info, FsStat stat, DateTimeOffset now) =>
        new(info with { AllowTypes = ValidTypes(info.AllowTypes), DenyTypes = ValidTypes(info.DenyTypes) }, stat, "", now);

    /// <summary>An attach of a known id: new URLs appended in order, every setting overwritten; stat and heartbeat kept.</summary>
    public static IndexedPath Merge(IndexedPath existing, StorageInfo info)
    {
        var urls = (existing.Info.URLs ?? []).ToList();
        foreach (var u in info.URLs ?? [])
        {
            if (!urls.Contains(u))
            {
                urls.Add(u);
            }
        }

        var merged = info with
        {
            ID = existing.Info.ID,
            URLs = urls,
            AllowTypes = ValidTypes(info.AllowTypes),
            DenyTypes = ValidTypes(info.DenyTypes),
        };
        return existing with { Info = merged };
    }

    /// <summary>
    /// Lotus <c>StorageDetach</c>: null when the whole path goes (one URL equal to <paramref name="url"/>, or none),
    /// otherwise the path without that URL.
    /// </summary>
    public static IndexedPath? Detach(IndexedPath existing, string url)
    {
        var urls = existing.Info.URLs ?? [];
        if (urls.Count == 0)
        {
            return null;
        }

        if (urls.Count == 1)
        {
            return urls[0] == url
                ? null
                : throw new StoresException($"not dropping path, requested and index urls don't match ('{url}' != '{urls[0]}')");
        }

        return existing with { Info = existing.Info with { URLs = [.. urls.Where(u => u != url)] } };
    }

    public static IndexedPath ReportHealth(IndexedPath existing, HealthReport report, DateTimeOffset now) =>
        existing with { Stat = report.Stat, Err = report.Err ?? "", LastHeartbeat = now };

    /// <summary>Lotus <c>StorageFindSector</c> over the sector's declarations and the known paths.</summary>
    public static List<SectorStorageInfo> FindSector(
        SectorId sector,
        SectorFileType fileType,
        ulong sectorSize,
        bool allowFetch,
        IEnumerable<SectorDecl> decls,
        IReadOnlyDictionary<StorageId, IndexedPath> paths,
        DateTimeOffset now)
    {
        // Count of requested types present and "any primary" per path, in first-seen order.
        var counts = new Dictionary<StorageId, (ulong Count, bool Primary)>();
        var order = new List<StorageId>();
        foreach (var d in decls)
        {
            if ((d.FileType & fileType) == 0 || SectorFileTypes.NameOf(d.FileType) is null)
            {
                continue;
            }

            if (!counts.TryGetValue(d.Storage, out var c))
            {
                order.Add(d.Storage);
            }

            counts[d.Storage] = (c.Count + 1, c.Primary || d.Primary);
        }

        var segment = Uri.EscapeDataString(SectorFileTypes.Format(fileType));
        var name = sector.ToSectorName();
        var result = new List<SectorStorageInfo>();

        // Go starts from an empty (non-nil) group set: with no holder at all, no fetch candidate passes.
        HashSet<string>? allowTo = [];
        foreach (var id in order)
        {
            if (!paths.TryGetValue(id, out var p))
            {
                continue;
            }

            if (allowTo is not null && p.Info.AllowTo is { Count: > 0 })
            {
                allowTo.UnionWith(p.Info.AllowTo);
            }
            else
            {
                allowTo = null;
            }

            var (count, primary) = counts[id];
            result.Add(ToSectorStorageInfo(p.Info, segment, name, p.Info.Weight * count, primary));
        }

        if (!allowFetch)
        {
            return result;
        }

        var spaceReq = SectorFileTypes.SealSpaceUse(fileType, sectorSize);
        foreach (var p in paths.Values.OrderBy(p => p.Info.ID.Value, StringComparer.Ordinal))
        {
            var info = p.Info;
            if (!info.CanSeal
                || spaceReq > unchecked((ulong)p.Stat.Available)
                || !IsFresh(p, now)
                || !SectorFileTypes.AnyAllowed(fileType, info.AllowTypes, info.DenyTypes)
                || !TryMinerFilter(info.AllowMiners, info.DenyMiners, sector.Miner, out var proceed)
                || !proceed
                || (allowTo is not null && !(info.Groups ?? []).Any(allowTo.Contains))
                || counts.ContainsKey(info.ID))
            {
                continue;
            }

            result.Add(ToSectorStorageInfo(info, segment, name, 0, false));
        }

        return result;
    }

    /// <summary>Lotus <c>StorageBestAlloc</c>: healthy paths of the kind with room, by Available × Weight descending.</summary>
    public static List<StorageInfo> BestAlloc(
        SectorFileType fileType, ulong sectorSize, PathType pathType, ulong miner, IEnumerable<IndexedPath> paths, DateTimeOffset now)
    {
        var spaceReq = pathType switch
        {
            PathType.Sealing => SectorFileTypes.SealSpaceUse(fileType, sectorSize),
            PathType.Storage => SectorFileTypes.StoreSpaceUse(fileType, sectorSize),
            _ => throw new ArgumentOutOfRangeException(nameof(pathType), pathType, "unexpected path type"),
        };

        var candidates = new List<IndexedPath>();
        foreach (var p in paths)
        {
            if ((pathType == PathType.Sealing && !p.Info.CanSeal)
                || (pathType == PathType.Storage && !p.Info.CanStore)
                || spaceReq > unchecked((ulong)p.Stat.Available)
                || !IsFresh(p, now))
            {
                continue;
            }

            if (!TryMinerFilter(p.Info.AllowMiners, p.Info.DenyMiners, miner, out var proceed))
            {
                throw new StoresException($"path {p.Info.ID}: bad miner address in AllowMiners/DenyMiners");
            }

            if (proceed)
            {
                candidates.Add(p);
            }
        }

        if (candidates.Count == 0)
        {
            throw new StoresException("no good path found", isRetryable: true);
        }

        return
        [
            .. candidates
                .OrderByDescending(p => (Int128)p.Stat.Available * p.Info.Weight)
                .ThenBy(p => p.Info.ID.Value, StringComparer.Ordinal)
                .Select(p => p.Info),
        ];
    }

    /// <summary>Lotus <c>StorageList</c>: every path, each with its sectors and the merged mask of their types.</summary>
    public static Dictionary<StorageId, IReadOnlyList<Decl>> List(
        IEnumerable<StorageId> pathIds, IEnumerable<(SectorId Sector, SectorDecl Decl)> decls)
    {
        var byPath = pathIds.ToDictionary(id => id, _ => new SortedDictionary<SectorId, SectorFileType>(SectorOrder.Instance));
        foreach (var (sector, d) in decls)
        {
            if (byPath.TryGetValue(d.Storage, out var m))
            {
                m[sector] = m.GetValueOrDefault(sector) | d.FileType;
            }
        }

        return byPath.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<Decl>)[.. kv.Value.Select(s => Decl.Of(s.Key, s.Value))]);
    }

    public static bool IsFresh(IndexedPath p, DateTimeOffset now) =>
        now - p.LastHeartbeat <= SkippedHeartbeatThreshold && string.IsNullOrEmpty(p.Err);

    /// <summary>
    /// Lotus <c>MinerFilter</c>: with an allow list the miner must be in it, and it must not be in the deny list.
    /// False when an entry is not an id address (<c>f0…</c>/<c>t0…</c>).
    /// </summary>
    public static bool TryMinerFilter(IReadOnlyList<string>? allow, IReadOnlyList<string>? deny, ulong miner, out bool proceed)
    {
        proceed = false;
        if (allow is { Count: > 0 })
        {
            if (!TryContains(allow, miner, out var found))
            {
                return false;
            }

            if (!found)
            {
                return true;
            }
        }

        if (deny is { Count: > 0 })
        {
            if (!TryContains(deny, miner, out var found))
            {
                return false;
            }

            if (found)
            {
                return true;
            }
        }

        proceed = true;
        return true;
    }

    /// <summary>Parses an id address <c>f01000</c> / <c>t01000</c> into its actor id.</summary>
    public static bool TryParseIdAddress(string address, out ulong id)
    {
        id = 0;
        return address.Length > 2
            && address[0] is 'f' or 't'
            && address[1] == '0'
            && ulong.TryParse(address.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out id);
    }

    private static bool TryContains(IReadOnlyList<string> list, ulong miner, out bool found)
    {
        found = false;
        foreach (var m in list)
        {
            if (!TryParseIdAddress(m, out var id))
            {
                return false;
            }

            if (id == miner)
            {
                found = true;
                return true;
            }
        }

        return true;
    }

    private static IReadOnlyList<string>? ValidTypes(IReadOnlyList<string>? names) =>
        names is null ? null : [.. names.Where(n => SectorFileTypes.TryParse(n, out _))];

    private static SectorStorageInfo ToSectorStorageInfo(StorageInfo info, string segment, string sectorName, ulong weight, bool primary)
    {
        var baseUrls = info.URLs ?? [];
        return new SectorStorageInfo(
            info.ID,
            [.. baseUrls.Select(u => u.TrimEnd('/') + "/" + segment + "/" + sectorName)],
            [.. baseUrls],
            weight,
            info.CanSeal,
            info.CanStore,
            primary,
            info.AllowTypes,
            info.DenyTypes,
            info.AllowMiners,
            info.DenyMiners);
    }

    private sealed class SectorOrder : IComparer<SectorId>
    {
        public static readonly SectorOrder Instance = new();

        public int Compare(SectorId x, SectorId y) =>
            x.Miner != y.Miner ? x.Miner.CompareTo(y.Miner) : x.Number.CompareTo(y.Number);
    }
}
