using Kiln.Api.Types;
using Kiln.Proofs;
using Kiln.Stores.Index;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Stores.Local;

/// <summary>
/// The storage paths this host has open (lotus: storage/paths/local.go <c>Local</c>): opens and initializes paths,
/// announces them to the sector index with this host's <c>/remote</c> URLs, declares the sector files found in them,
/// reports their health, reserves space, and answers where a sector's files are or should go.
/// A path is known by its <c>sectorstore.json</c> id only, so a shared filesystem opened on several hosts is local
/// on each of them and nothing is fetched between them.
/// </summary>
public sealed partial class LocalStore
{
    private readonly ISectorIndex _index;
    private readonly LocalStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly Lock _lock = new();
    private readonly Dictionary<StorageId, LocalPath> _paths = [];
    private readonly SemaphoreSlim _configWrite = new(1, 1);

    public LocalStore(ISectorIndex index, LocalStoreOptions options, TimeProvider? time = null, ILogger<LocalStore>? logger = null)
    {
        options.Validate();
        _index = index;
        _options = options;
        _time = time ?? TimeProvider.System;
        _log = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>This host's <c>/remote</c> base URLs.</summary>
    public IReadOnlyList<string> Urls => _options.Urls;

    public ISectorIndex Index => _index;

    /// <summary>The open paths in Lotus's <c>Paths</c> shape.</summary>
    public IReadOnlyList<StoragePath> Paths()
    {
        lock (_lock)
        {
            return [.. _paths.Values.Select(p => new StoragePath(p.Id, p.Meta.Weight, p.Root, p.Meta.CanSeal, p.Meta.CanStore))];
        }
    }

    /// <summary>Lotus <c>StorageLocal</c>: open path ids and their roots.</summary>
    public IReadOnlyDictionary<StorageId, string> Local()
    {
        lock (_lock)
        {
            return _paths.ToDictionary(kv => kv.Key, kv => kv.Value.Root);
        }
    }

    public bool TryGetRoot(StorageId id, out string root)
    {
        lock (_lock)
        {
            root = _paths.TryGetValue(id, out var p) ? p.Root : "";
            return root.Length > 0;
        }
    }

    /// <summary>Opens every path of <see cref="LocalStoreOptions.StorageConfigFile"/> (nothing when none is configured).</summary>
    public async Task OpenAsync(CancellationToken ct)
    {
        if (_options.StorageConfigFile is null)
        {
            return;
        }

        var config = await StorageConfig.LoadAsync(_options.StorageConfigFile, ct).ConfigureAwait(false);
        foreach (var p in config.StoragePaths)
        {
            await OpenPathAsync(p.Path, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Lotus <c>OpenPath</c>: reads <c>sectorstore.json</c>, attaches the path to the index with this host's URLs,
    /// creates the type directories and declares every sector file in them (primary when the path can store).
    /// </summary>
    /// <exception cref="StoresException">No metadata, the id is already open, or a file name is not a sector name.</exception>
    public async Task<LocalStorageMeta> OpenPathAsync(string path, CancellationToken ct)
    {
        var root = Path.GetFullPath(path);
        var meta = await LocalStorageMeta.LoadAsync(root, ct).ConfigureAwait(false);
        var opened = new LocalPath(root, meta);
        lock (_lock)
        {
            if (_paths.TryGetValue(meta.ID, out var existing))
            {
                throw new StoresException($"path with ID {meta.ID} already opened: '{existing.Root}'");
            }
        }

        var stat = Stat(opened);
        await _index.StorageAttachAsync(meta.ToStorageInfo(_options.Urls), stat, ct).ConfigureAwait(false);
        await DeclareSectorsAsync(opened, ct).ConfigureAwait(false);
        lock (_lock)
        {
            if (!_paths.TryAdd(meta.ID, opened))
            {
                throw new StoresException($"path with ID {meta.ID} already opened");
            }
        }

        LogPathOpened(meta.ID.Value, root);
        return meta;
    }

    /// <summary>
    /// Lotus <c>Local.Redeclare</c>: attaches the open paths (or only <paramref name="only"/>) to the index again with
    /// their current <c>sectorstore.json</c> and declares every sector file in them — after a miner restart, or
    /// <c>storage redeclare</c>. With <paramref name="dropMissing"/>, declarations of files gone from disk are dropped.
    /// </summary>
    public async Task RedeclareAsync(StorageId? only, bool dropMissing, CancellationToken ct)
    {
        foreach (var (id, root) in Local())
        {
            if (only is { } wanted && wanted != id)
            {
                continue;
            }

            var meta = await LocalStorageMeta.LoadAsync(root, ct).ConfigureAwait(false);
            await _index.StorageAttachAsync(meta.ToStorageInfo(_options.Urls), await FsStatAsync(id, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
            await DeclareSectorsAsync(new LocalPath(root, meta), ct).ConfigureAwait(false);
            if (dropMissing && (await _index.StorageListAsync(ct).ConfigureAwait(false)).TryGetValue(id, out var decls))
            {
                foreach (var decl in decls)
                {
                    var sector = new SectorId(decl.Miner, decl.Number);
                    foreach (var t in SectorFileTypes.AllSet(decl.SectorFileType))
                    {
                        var file = SectorPathGuard.SectorPath(root, sector, t);
                        if (!File.Exists(file) && !Directory.Exists(file))
                        {
                            await _index.StorageDropSectorAsync(id, sector, t, ct).ConfigureAwait(false);
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// <c>storage attach [--init]</c>: with <paramref name="init"/> writes a new <c>sectorstore.json</c> (new UUID;
    /// the path must not have one and must take sealing or storage), then opens the path and adds it to <c>storage.json</c>.
    /// </summary>
    public async Task<LocalStorageMeta> AttachAsync(
        string path,
        bool init,
        ulong weight = 10,
        bool canSeal = false,
        bool canStore = false,
        ulong maxStorage = 0,
        IReadOnlyList<string>? groups = null,
        IReadOnlyList<string>? allowTo = null,
        CancellationToken ct = default)
    {
        var root = Path.GetFullPath(path);
        if (init)
        {
            await LocalStorageMeta.InitializeAsync(root, weight, canSeal, canStore, maxStorage, groups, allowTo, ct).ConfigureAwait(false);
        }

        var opened = await OpenPathAsync(root, ct).ConfigureAwait(false);
        await AddToConfigAsync(root, ct).ConfigureAwait(false);
        return opened;
    }

    /// <summary>Lotus <c>ClosePath</c>: detaches this host's URLs of the path from the index and forgets it.</summary>
    public async Task ClosePathAsync(string path, CancellationToken ct)
    {
        var root = Path.GetFullPath(path);
        LocalPath? found;
        lock (_lock)
        {
            found = _paths.Values.FirstOrDefault(p => p.Root == root);
        }

        if (found is null)
        {
            throw new StoragePathNotFoundException($"no open path at '{root}'");
        }

        foreach (var url in _options.Urls)
        {
            await _index.StorageDetachAsync(found.Id, url, ct).ConfigureAwait(false);
        }

        lock (_lock)
        {
            _paths.Remove(found.Id);
        }
    }

    /// <summary>Lotus <c>FsStat</c> of an open path: filesystem figures, minus reservations, capped by MaxStorage.</summary>
    /// <exception cref="StoragePathNotFoundException">The id is not open here.</exception>
    public Task<FsStat> FsStatAsync(StorageId id, CancellationToken ct)
    {
        lock (_lock)
        {
            return Task.FromResult(Stat(GetPath(id)));
        }
    }

    /// <summary>Reports every open path's stat (or its error) to the index once.</summary>
    public async Task ReportHealthAsync(CancellationToken ct)
    {
        List<LocalPath> paths;
        lock (_lock)
        {
            paths = [.. _paths.Values];
        }

        foreach (var p in paths)
        {
            HealthReport report;
            try
            {
                FsStat stat;
                lock (_lock)
                {
                    stat = Stat(p);
                }

                report = new HealthReport(stat, "");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or StoresException)
            {
                report = new HealthReport(default, e.Message);
            }

            await _index.StorageReportHealthAsync(p.Id, report, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Reports health every <see cref="LocalStoreOptions.HealthInterval"/> until <paramref name="ct"/> fires.</summary>
    public async Task RunHealthReportsAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await ReportHealthAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogHealthReportFailed(e);
            }

            try
            {
                await Task.Delay(_options.HealthInterval, _time, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Lotus <c>Local.Reserve</c>: holds <c>overhead(type) × sectorSize / 10</c> bytes for each type of
    /// <paramref name="fileType"/> on the path named for it in <paramref name="storageIds"/> (seal overheads for
    /// <see cref="PathType.Sealing"/>, finalized ones for <see cref="PathType.Storage"/>). Bytes already written for that
    /// sector's file count against the reservation.
    /// </summary>
    /// <exception cref="StoresException">Not enough room (retryable, Lotus <c>ErrTempAllocateSpace</c>).</exception>
    public SpaceReservation Reserve(SectorRef sector, SectorFileType fileType, SectorPaths storageIds, PathType overheadKind)
    {
        var sectorSize = SectorSizeOf(sector);
        var taken = new List<(LocalPath Path, SectorFileType Type, long Bytes)>();
        lock (_lock)
        {
            try
            {
                foreach (var t in SectorFileTypes.AllSet(fileType))
                {
                    var p = GetPath(new StorageId(storageIds[t]));
                    var overhead = overheadKind == PathType.Storage ? SectorFileTypes.FinalizedOverhead(t) : SectorFileTypes.SealOverhead(t);
                    var bytes = (long)((ulong)overhead * sectorSize / SectorFileTypes.OverheadDenominator);
                    var stat = Stat(p);
                    if (stat.Available < bytes)
                    {
                        throw new StoresException(
                            $"can't reserve {bytes} bytes in '{p.Root}' (id:{p.Id}), only {stat.Available} available", isRetryable: true);
                    }

                    var key = (sector.ID, t);
                    p.Reservations[key] = p.Reservations.GetValueOrDefault(key) + bytes;
                    taken.Add((p, t, bytes));
                }
            }
            catch
            {
                Unreserve(sector.ID, taken);
                throw;
            }
        }

        return new SpaceReservation(() =>
        {
            lock (_lock)
            {
                Unreserve(sector.ID, taken);
            }
        });
    }

    /// <summary>
    /// Lotus <c>Local.AcquireSector</c>: for each type of <paramref name="existing"/> (and of <paramref name="allocate"/>,
    /// when already present) the file in any open path the index says holds it; for each remaining type of
    /// <paramref name="allocate"/> a destination in the best open path of <paramref name="pathType"/>. Types found
    /// nowhere locally are simply absent from the answer (a fetcher fills them in).
    /// </summary>
    /// <exception cref="StoresException">A type both existing and allocated, or no local path fits (retryable).</exception>
    public async Task<AcquiredSector> AcquireSectorAsync(
        SectorRef sector, SectorFileType existing, SectorFileType allocate, PathType pathType, CancellationToken ct)
    {
        if ((existing & allocate) != 0)
        {
            throw new StoresException("can't both find and allocate a sector");
        }

        var paths = new SectorPaths(sector.ID);
        var ids = new SectorPaths(sector.ID);
        var sectorSize = allocate == SectorFileType.None ? 0 : SectorSizeOf(sector);

        foreach (var t in SectorFileTypes.AllSet(existing | allocate))
        {
            var found = await _index.StorageFindSectorAsync(sector.ID, t, sectorSize, false, ct).ConfigureAwait(false);
            foreach (var info in found)
            {
                var p = TryGetPath(info.ID);
                if (p is null
                    || ((allocate & t) != 0
                        && !AllocPathOk(info.CanSeal, info.CanStore, info.AllowTypes, info.DenyTypes, info.AllowMiners, info.DenyMiners, t, sector.ID.Miner, pathType)))
                {
                    continue;
                }

                paths = paths.With(t, p.SectorPath(sector.ID, t));
                ids = ids.With(t, info.ID.Value);
                allocate &= ~t;
                break;
            }
        }

        foreach (var t in SectorFileTypes.AllSet(allocate))
        {
            IReadOnlyList<StorageInfo> candidates;
            try
            {
                candidates = await _index.StorageBestAllocAsync(t, sectorSize, pathType, sector.ID.Miner, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is StoresException or Kiln.Api.JsonRpc.RpcException)
            {
                // The index has no path of that kind with room ("no good path found"): temporary, as Lotus's
                // ErrTempAllocateSpace; the miner retries once space frees up or a path is attached.
                throw new StoresException(
                    $"couldn't find a suitable {pathType.ToString().ToLowerInvariant()} path for sector {sector.ID.ToSectorName()} ({SectorFileTypes.Format(t)}): {e.Message}",
                    isRetryable: true,
                    inner: e);
            }

            var best = candidates
                .Select(si => (Info: si, Path: TryGetPath(si.ID)))
                .FirstOrDefault(c => c.Path is not null
                    && AllocPathOk(c.Info.CanSeal, c.Info.CanStore, c.Info.AllowTypes, c.Info.DenyTypes, c.Info.AllowMiners, c.Info.DenyMiners, t, sector.ID.Miner, pathType));
            if (best.Path is null)
            {
                throw new StoresException(
                    $"couldn't find a suitable {pathType.ToString().ToLowerInvariant()} path for sector {sector.ID.ToSectorName()} ({SectorFileTypes.Format(t)}) on this host",
                    isRetryable: true);
            }

            paths = paths.With(t, best.Path.SectorPath(sector.ID, t));
            ids = ids.With(t, best.Info.ID.Value);
        }

        return new AcquiredSector(paths, ids);
    }

    /// <summary>
    /// For many sectors of one miner at once, with a single index call (<c>StorageList</c>): the local paths of every
    /// requested type of each sector whose requested types are all declared in this host's open paths. Sectors missing
    /// any type here are absent from the answer. Batch vanilla routes use this rather than one lookup per sector.
    /// </summary>
    public async Task<IReadOnlyDictionary<(ulong Number, SectorFileType Types), SectorPaths>> FindLocalSectorsAsync(
        ulong miner, IReadOnlyCollection<(ulong Number, SectorFileType Types)> sectors, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sectors);
        var answer = new Dictionary<(ulong Number, SectorFileType Types), SectorPaths>();
        if (sectors.Count == 0)
        {
            return answer;
        }

        var wanted = sectors.Select(s => s.Number).ToHashSet();
        var here = new Dictionary<(ulong Number, SectorFileType Type), LocalPath>();
        foreach (var (id, decls) in await _index.StorageListAsync(ct).ConfigureAwait(false))
        {
            if (TryGetPath(id) is not { } p)
            {
                continue;
            }

            foreach (var d in decls)
            {
                if (d.Miner != miner || !wanted.Contains(d.Number))
                {
                    continue;
                }

                foreach (var t in SectorFileTypes.AllSet(d.SectorFileType))
                {
                    here.TryAdd((d.Number, t), p);
                }
            }
        }

        foreach (var (number, types) in sectors)
        {
            var sector = new SectorId(miner, number);
            var paths = new SectorPaths(sector);
            var complete = true;
            foreach (var t in SectorFileTypes.AllSet(types))
            {
                if (!here.TryGetValue((number, t), out var p))
                {
                    complete = false;
                    break;
                }

                paths = paths.With(t, p.SectorPath(sector, t));
            }

            if (complete)
            {
                answer[(number, types)] = paths;
            }
        }

        return answer;
    }

    /// <summary>
    /// Lotus <c>Local.Remove</c>: deletes one file type of a sector from every open path the index lists, except the
    /// paths in <paramref name="keepIn"/>, and drops those declarations.
    /// </summary>
    /// <exception cref="StoresException">Not a single type, or (without <paramref name="force"/>) the index knows no copy.</exception>
    public async Task RemoveAsync(SectorId sector, SectorFileType fileType, bool force, IReadOnlyCollection<StorageId> keepIn, CancellationToken ct)
    {
        if (SectorFileTypes.NameOf(fileType) is null)
        {
            throw new StoresException("delete expects one file type");
        }

        var found = await _index.StorageFindSectorAsync(sector, fileType, 0, false, ct).ConfigureAwait(false);
        if (found.Count == 0 && !force)
        {
            throw new StoresException($"can't delete sector {sector.ToSectorName()}({SectorFileTypes.Format(fileType)}), not found");
        }

        foreach (var info in found.Where(i => !keepIn.Contains(i.ID)))
        {
            await RemoveFromPathAsync(sector, fileType, info.ID, ct).ConfigureAwait(false);
        }

        await ReportFreedSpaceAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Lotus <c>Local.RemoveCopies</c>: when the index knows a primary copy of the type, every non-primary copy in an
    /// open path of this host is deleted and dropped from the index; without a primary copy nothing is removed.
    /// </summary>
    /// <exception cref="StoresException">Not a single type.</exception>
    public async Task RemoveCopiesAsync(SectorId sector, SectorFileType fileType, CancellationToken ct)
    {
        if (SectorFileTypes.NameOf(fileType) is null)
        {
            throw new StoresException("delete expects one file type");
        }

        var found = await _index.StorageFindSectorAsync(sector, fileType, 0, false, ct).ConfigureAwait(false);
        if (!found.Any(i => i.Primary))
        {
            LogNoPrimaryCopy(sector.ToSectorName(), SectorFileTypes.Format(fileType));
            return;
        }

        var removed = false;
        foreach (var info in found.Where(i => !i.Primary))
        {
            removed |= await RemoveFromPathAsync(sector, fileType, info.ID, ct).ConfigureAwait(false);
        }

        if (removed)
        {
            await ReportFreedSpaceAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Lotus <c>Local.MoveStorage</c>: each type of <paramref name="types"/> goes from where this host holds it to the
    /// best path that can store it (<c>StorageBestAlloc</c> for long-term storage: weight × free space, allowed types
    /// and miners); a type already in such a path, or held on a path that can store, stays. Moved files are dropped
    /// from the source declaration, moved (<see cref="SectorFileMove"/>) and declared primary at the destination.
    /// </summary>
    /// <exception cref="StoresException">No store path fits (retryable, Lotus <c>ErrTempAllocateSpace</c>), a type is not here, or the move failed.</exception>
    public async Task MoveStorageAsync(SectorRef sector, SectorFileType types, CancellationToken ct)
    {
        var dest = await AcquireSectorAsync(sector, SectorFileType.None, types, PathType.Storage, ct).ConfigureAwait(false);
        var src = await AcquireSectorAsync(sector, types, SectorFileType.None, PathType.Storage, ct).ConfigureAwait(false);
        var missing = types & ~src.Paths.Present;
        if (missing != SectorFileType.None)
        {
            throw new StoresException($"move sector {sector.ID.ToSectorName()} to storage: {SectorFileTypes.Format(missing)} not in this host's paths");
        }

        var moved = false;
        foreach (var t in SectorFileTypes.AllSet(types))
        {
            var srcId = new StorageId(src.StorageIds[t]);
            var destId = new StorageId(dest.StorageIds[t]);
            if (srcId == destId)
            {
                continue;
            }

            var source = await _index.StorageInfoAsync(srcId, ct).ConfigureAwait(false);
            if (source.CanStore)
            {
                continue;
            }

            LogMoving(sector.ID.ToSectorName(), SectorFileTypes.Format(t), srcId.Value, destId.Value);
            await _index.StorageDropSectorAsync(srcId, sector.ID, t, ct).ConfigureAwait(false);
            try
            {
                SectorFileMove.Move(src.Paths[t], dest.Paths[t]);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or StoresException)
            {
                // Whatever is on disk now is declared again, so the index never loses the file.
                var stillAtSource = File.Exists(src.Paths[t]) || Directory.Exists(src.Paths[t]);
                await _index.StorageDeclareSectorAsync(stillAtSource ? srcId : destId, sector.ID, t, true, ct).ConfigureAwait(false);
                throw new StoresException($"moving sector {sector.ID.ToSectorName()} ({SectorFileTypes.Format(t)}) to {destId}: {e.Message}", inner: e);
            }

            await _index.StorageDeclareSectorAsync(destId, sector.ID, t, true, ct).ConfigureAwait(false);
            moved = true;
        }

        if (moved)
        {
            await ReportFreedSpaceAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>Lotus <c>Local.removeSector</c>: drop the declaration, then delete; false when the path is not open here.</summary>
    private async Task<bool> RemoveFromPathAsync(SectorId sector, SectorFileType fileType, StorageId storage, CancellationToken ct)
    {
        var p = TryGetPath(storage);
        if (p is null)
        {
            return false;
        }

        await _index.StorageDropSectorAsync(storage, sector, fileType, ct).ConfigureAwait(false);
        var target = p.SectorPath(sector, fileType);
        try
        {
            DeleteEntry(target);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogRemoveFailed(target, e);
        }

        return true;
    }

    /// <summary>Reports the space a removal or move freed; the files are where they are either way.</summary>
    private async Task ReportFreedSpaceAsync(CancellationToken ct)
    {
        try
        {
            await ReportHealthAsync(ct).ConfigureAwait(false);
        }
        catch (StoresException e)
        {
            LogHealthReportFailed(e);
        }
    }

    /// <summary>The path of a single type's file of a sector in an open path.</summary>
    public string SectorPath(StorageId id, SectorId sector, SectorFileType single)
    {
        lock (_lock)
        {
            return GetPath(id).SectorPath(sector, single);
        }
    }

    /// <summary>Deletes a file or a directory tree; nothing when it does not exist.</summary>
    public static void DeleteEntry(string target)
    {
        if (Directory.Exists(target))
        {
            Directory.Delete(target, recursive: true);
        }
        else
        {
            File.Delete(target);
        }
    }

    internal static ulong SectorSizeOf(SectorRef sector) => SealProofInfo.Get(sector.ProofType).SectorSize;

    private static bool AllocPathOk(
        bool canSeal,
        bool canStore,
        IReadOnlyList<string>? allowTypes,
        IReadOnlyList<string>? denyTypes,
        IReadOnlyList<string>? allowMiners,
        IReadOnlyList<string>? denyMiners,
        SectorFileType fileType,
        ulong miner,
        PathType pathType)
    {
        if ((pathType == PathType.Sealing && !canSeal) || (pathType == PathType.Storage && !canStore)
            || !SectorFileTypes.Allowed(fileType, allowTypes, denyTypes))
        {
            return false;
        }

        return IndexRules.TryMinerFilter(allowMiners, denyMiners, miner, out var proceed)
            ? proceed
            : throw new StoresException("bad miner address in AllowMiners/DenyMiners");
    }

    private async Task DeclareSectorsAsync(LocalPath p, CancellationToken ct)
    {
        foreach (var t in SectorFileTypes.Singles)
        {
            var dir = SectorPathGuard.Child(p.Root, SectorFileTypes.NameOf(t)!);
            Directory.CreateDirectory(dir);
            foreach (var info in new DirectoryInfo(dir).EnumerateFileSystemInfos().OrderBy(i => i.Name, StringComparer.Ordinal))
            {
                var entry = info.Name;
                if (entry == SectorPathGuard.FetchingDir)
                {
                    continue;
                }

                // A stray file (an editor's backup, a copy by hand) is not a reason to refuse the whole path:
                // logged and left alone, never declared.
                if (!SectorId.TryParseSectorName(entry, out var sector))
                {
                    LogStrayEntry(info.FullName);
                    continue;
                }

                // Symlinks are refused: a link could point anywhere, so it is neither declared, served nor tarred.
                if (info.LinkTarget is not null)
                {
                    LogSymlinkRefused(info.FullName, info.LinkTarget);
                    continue;
                }

                await _index.StorageDeclareSectorAsync(p.Id, sector, t, p.Meta.CanStore, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary><c>storage detach</c>: closes the path and removes it from <c>storage.json</c> (its files stay).</summary>
    public async Task DetachAsync(string path, CancellationToken ct)
    {
        var root = Path.GetFullPath(path);
        await ClosePathAsync(root, ct).ConfigureAwait(false);
        await EditConfigAsync(c => c with { StoragePaths = [.. c.StoragePaths.Where(p => Path.GetFullPath(p.Path) != root)] }, ct).ConfigureAwait(false);
    }

    private Task AddToConfigAsync(string root, CancellationToken ct) => EditConfigAsync(
        c => c.StoragePaths.All(p => Path.GetFullPath(p.Path) != root) ? c with { StoragePaths = [.. c.StoragePaths, new LocalPathConfig(root)] } : c,
        ct);

    private async Task EditConfigAsync(Func<StorageConfig, StorageConfig> edit, CancellationToken ct)
    {
        if (_options.StorageConfigFile is not { } file)
        {
            return;
        }

        await _configWrite.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var config = await StorageConfig.LoadAsync(file, ct).ConfigureAwait(false);
            var edited = edit(config);
            if (!ReferenceEquals(edited, config))
            {
                await edited.SaveAsync(file, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            _configWrite.Release();
        }
    }

    /// <summary>Filesystem stat with reservations and MaxStorage applied; call under <see cref="_lock"/> or on a private path.</summary>
    private static FsStat Stat(LocalPath p)
    {
        var drive = new DriveInfo(p.Root);
        var capacity = drive.TotalSize;
        var fsAvailable = drive.AvailableFreeSpace;

        long reserved = 0;
        foreach (var ((sector, type), bytes) in p.Reservations)
        {
            // What is already on disk (in place, or still under fetching/) is part of the reservation.
            var target = p.SectorPath(sector, type);
            var onDisk = DiskUsage.Of(target) + DiskUsage.Of(SectorPathGuard.FetchTempPath(target));
            reserved += Math.Max(0, bytes - onDisk);
        }

        var available = Math.Max(0, fsAvailable - reserved);
        long max = 0, used = 0;
        if (p.Meta.MaxStorage > 0)
        {
            used = DiskUsage.Of(p.Root);
            max = (long)p.Meta.MaxStorage;
            // Lotus caps with max - used only, so reservations would not count inside the limit; here they do.
            available = Math.Min(available, Math.Max(0, max - used - reserved));
        }

        return new FsStat(capacity, available, fsAvailable, reserved, max, used);
    }

    private static void Unreserve(SectorId sector, List<(LocalPath Path, SectorFileType Type, long Bytes)> taken)
    {
        foreach (var (p, t, bytes) in taken)
        {
            var left = p.Reservations.GetValueOrDefault((sector, t)) - bytes;
            if (left > 0)
            {
                p.Reservations[(sector, t)] = left;
            }
            else
            {
                p.Reservations.Remove((sector, t));
            }
        }

        taken.Clear();
    }

    private LocalPath GetPath(StorageId id) =>
        _paths.TryGetValue(id, out var p) ? p : throw new StoragePathNotFoundException($"path not found: {id}");

    private LocalPath? TryGetPath(StorageId id)
    {
        lock (_lock)
        {
            return _paths.GetValueOrDefault(id);
        }
    }

    [LoggerMessage(EventId = 3000, EventName = "StoragePathOpened", Level = LogLevel.Information, Message = "Opened storage path {Id} at {Root}")]
    private partial void LogPathOpened(string id, string root);

    [LoggerMessage(EventId = 3001, EventName = "StorageHealthReportFailed", Level = LogLevel.Warning, Message = "Reporting storage health failed")]
    private partial void LogHealthReportFailed(Exception e);

    [LoggerMessage(EventId = 3002, EventName = "SectorFileRemoveFailed", Level = LogLevel.Error, Message = "Removing {Target} failed")]
    private partial void LogRemoveFailed(string target, Exception e);

    [LoggerMessage(EventId = 3003, EventName = "StoragePathStrayEntry", Level = LogLevel.Warning, Message = "Skipping {Entry} in a storage path: not a sector name (s-t0<miner>-<number>); move it out of the path")]
    private partial void LogStrayEntry(string entry);

    [LoggerMessage(EventId = 3004, EventName = "StoragePathSymlinkRefused", Level = LogLevel.Warning, Message = "Refusing symlink {Entry} -> {Target} in a storage path: sector files must be real files or directories, not declared")]
    private partial void LogSymlinkRefused(string entry, string target);

    [LoggerMessage(EventId = 3005, EventName = "NoPrimaryCopy", Level = LogLevel.Warning, Message = "RemoveCopies: no primary copy of sector {Sector} ({Type}), not removing anything")]
    private partial void LogNoPrimaryCopy(string sector, string type);

    [LoggerMessage(EventId = 3006, EventName = "SectorMovingToStorage", Level = LogLevel.Information, Message = "Moving sector {Sector} ({Type}) to long-term storage: {From} -> {To}")]
    private partial void LogMoving(string sector, string type, string from, string to);
}
