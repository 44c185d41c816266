using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Kiln.Api.Types;
using Kiln.Stores.Index;
using Kiln.Stores.Local;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Stores.Fetch;

/// <summary>
/// Lotus <c>Remote.AcquireSector</c> (storage/paths/remote.go): like <see cref="LocalStore.AcquireSectorAsync"/>, but
/// a type no open path holds is downloaded from a path that does, into <c>&lt;dest-parent&gt;/fetching/&lt;name&gt;</c>,
/// then renamed into place, declared in the index (primary when moving) and, when moving, deleted at the source.
/// A type any local path already holds is never fetched, which is what makes shared storage fetch-free.
/// </summary>
public sealed partial class RemoteFetcher
{
    private readonly LocalStore _local;
    private readonly ISectorIndex _index;
    private readonly HttpClient _http;
    private readonly RemoteFetcherOptions _options;
    private readonly ILogger _log;
    private readonly StoresMetrics? _metrics;
    private readonly SemaphoreSlim _throttle;
    private readonly Lock _lock = new();
    private readonly Dictionary<SectorId, Task> _fetching = [];
    private long _fetchRequests;

    public RemoteFetcher(LocalStore local, ISectorIndex index, HttpClient http, RemoteFetcherOptions options, ILogger<RemoteFetcher>? logger = null, StoresMetrics? metrics = null)
    {
        options.Validate();
        _local = local;
        _index = index;
        _http = http;
        _options = options;
        _log = logger ?? (ILogger)NullLogger.Instance;
        _metrics = metrics;
        _throttle = new SemaphoreSlim(options.ParallelFetchLimit, options.ParallelFetchLimit);
    }

    /// <summary>GET requests sent so far to fetch sector files (also counted on the <c>kiln.stores.fetch.requests</c> instrument).</summary>
    public long FetchRequests => Interlocked.Read(ref _fetchRequests);

    /// <summary>
    /// Local paths for <paramref name="existing"/> (fetching what is only elsewhere) and new destinations for
    /// <paramref name="allocate"/>. One acquire per sector runs at a time.
    /// </summary>
    /// <exception cref="StoresException">No room (retryable), or no holder could deliver a type.</exception>
    public async Task<AcquiredSector> AcquireSectorAsync(
        SectorRef sector, SectorFileType existing, SectorFileType allocate, PathType pathType, AcquireMode mode, CancellationToken ct)
    {
        if ((existing & allocate) != 0)
        {
            throw new StoresException("can't both find and allocate a sector");
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await WaitTurnAsync(sector.ID, done.Task, ct).ConfigureAwait(false);
        try
        {
            return await AcquireExclusiveAsync(sector, existing, allocate, pathType, mode, ct).ConfigureAwait(false);
        }
        finally
        {
            lock (_lock)
            {
                _fetching.Remove(sector.ID);
            }

            done.SetResult();
        }
    }

    private async Task WaitTurnAsync(SectorId sector, Task mine, CancellationToken ct)
    {
        while (true)
        {
            Task other;
            lock (_lock)
            {
                if (_fetching.TryAdd(sector, mine))
                {
                    return;
                }

                other = _fetching[sector];
            }

            await other.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    private async Task<AcquiredSector> AcquireExclusiveAsync(
        SectorRef sector, SectorFileType existing, SectorFileType allocate, PathType pathType, AcquireMode mode, CancellationToken ct)
    {
        var found = await _local.AcquireSectorAsync(sector, existing, allocate, pathType, ct).ConfigureAwait(false);
        var toFetch = existing & ~found.Paths.Present;
        if (toFetch == SectorFileType.None)
        {
            return found;
        }

        var destinations = await _local.AcquireSectorAsync(sector, SectorFileType.None, toFetch, pathType, ct).ConfigureAwait(false);
        using var reservation = _local.Reserve(sector, toFetch, destinations.StorageIds, pathType);

        var (paths, ids) = (found.Paths, found.StorageIds);
        foreach (var t in SectorFileTypes.AllSet(toFetch))
        {
            var dest = destinations.Paths[t];
            var storageId = new StorageId(destinations.StorageIds[t]);
            var url = await FetchFromHoldersAsync(sector.ID, t, dest, ct).ConfigureAwait(false);
            paths = paths.With(t, dest);
            ids = ids.With(t, storageId.Value);

            try
            {
                await _index.StorageDeclareSectorAsync(storageId, sector.ID, t, mode == AcquireMode.Move, ct).ConfigureAwait(false);
            }
            catch (StoresException e)
            {
                LogDeclareFailed(sector.ID.ToSectorName(), storageId.Value, e);
                continue;
            }

            if (mode == AcquireMode.Move)
            {
                try
                {
                    await DeleteAtSourceAsync(url, [storageId], ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is HttpRequestException or StoresException)
                {
                    LogDeleteFailed(url, e);
                }
            }
        }

        return new AcquiredSector(paths, ids);
    }

    /// <summary>Lotus <c>acquireFromRemote</c>: every URL of every holder, lowest weight first, until one download succeeds.</summary>
    private async Task<string> FetchFromHoldersAsync(SectorId sector, SectorFileType fileType, string dest, CancellationToken ct)
    {
        var holders = await _index.StorageFindSectorAsync(sector, fileType, 0, false, ct).ConfigureAwait(false);
        if (holders.Count == 0)
        {
            throw new StoresException($"failed to acquire sector {sector.ToSectorName()} from remote ({SectorFileTypes.Format(fileType)}): sector not found");
        }

        var errors = new List<string>();
        foreach (var holder in holders.OrderBy(h => h.Weight))
        {
            foreach (var url in holder.URLs ?? [])
            {
                var temp = SectorPathGuard.FetchTempPath(dest);
                Directory.CreateDirectory(Path.GetDirectoryName(temp)!);
                LocalStore.DeleteEntry(dest);
                try
                {
                    await FetchThrottledAsync(url, temp, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is HttpRequestException or StoresException or IOException)
                {
                    errors.Add($"fetch error {url} (storage {holder.ID}) -> {temp}: {e.Message}");
                    LocalStore.DeleteEntry(temp);
                    continue;
                }

                Move(temp, dest);
                return url;
            }
        }

        throw new StoresException($"failed to acquire sector {sector.ToSectorName()} from remote: {string.Join("; ", errors)}");
    }

    private async Task FetchThrottledAsync(string url, string outPath, CancellationToken ct)
    {
        await _throttle.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await FetchAsync(url, outPath, Authorize, ct).ConfigureAwait(false);
        }
        finally
        {
            _throttle.Release();
        }
    }

    /// <summary>
    /// Lotus storage/paths/fetch.go <c>fetch</c>: one GET into <paramref name="outPath"/>, a file for
    /// <c>application/octet-stream</c>, a directory for <c>application/x-tar</c> (cache directories).
    /// </summary>
    private async Task FetchAsync(string url, string outPath, Action<HttpRequestMessage> prepare, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        long? written = null;
        try
        {
            LocalStore.DeleteEntry(outPath);
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            prepare(request);
            Interlocked.Increment(ref _fetchRequests);
            _metrics?.FetchRequested();
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new StoresException($"non-200 code: {(int)response.StatusCode}");
            }

            var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            await using var bodyScope = body.ConfigureAwait(false);
            long bytes;
            switch (response.Content.Headers.ContentType?.MediaType)
            {
                case "application/x-tar":
                    bytes = await CacheTar.ExtractAsync(body, outPath, ct).ConfigureAwait(false);
                    break;
                case "application/octet-stream":
                    var f = new FileStream(outPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                    await using (f.ConfigureAwait(false))
                    {
                        await body.CopyToAsync(f, 1 << 20, ct).ConfigureAwait(false);
                        bytes = f.Length;
                    }

                    break;
                default:
                    throw new StoresException($"unknown content type: '{response.Content.Headers.ContentType}'");
            }

            written = bytes;
        }
        finally
        {
            _metrics?.FetchEnded(written, Stopwatch.GetElapsedTime(started));
        }
    }

    /// <summary>
    /// Lotus storage/paths/fetch.go <c>FetchWithTemp</c>: each URL in turn (they name the same object) downloaded into
    /// <c>&lt;dest-parent&gt;/fetching/&lt;name&gt;</c> with <paramref name="headers"/> on the request, then moved into
    /// place; the URL that delivered is returned. Used for sector data from outside the cluster (DownloadSectorData),
    /// so neither the cluster's token nor the fetch limit applies.
    /// </summary>
    /// <exception cref="StoresException">No URL delivered (the message lists each error).</exception>
    public async Task<string> FetchWithTempAsync(IReadOnlyList<string> urls, string dest, IReadOnlyList<KeyValuePair<string, string>> headers, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(urls);
        ArgumentNullException.ThrowIfNull(headers);
        var errors = new List<string>();
        foreach (var url in urls)
        {
            var temp = SectorPathGuard.FetchTempPath(dest);
            Directory.CreateDirectory(Path.GetDirectoryName(temp)!);
            LocalStore.DeleteEntry(dest);
            try
            {
                await FetchAsync(url, temp, request =>
                {
                    foreach (var (name, value) in headers)
                    {
                        request.Headers.TryAddWithoutValidation(name, value);
                    }
                }, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or StoresException or IOException or InvalidOperationException
                                      || (e is OperationCanceledException && !ct.IsCancellationRequested))
            {
                errors.Add($"fetch error {url} -> {temp}: {e.Message}");
                LocalStore.DeleteEntry(temp);
                continue;
            }

            Move(temp, dest);
            return url;
        }

        throw new StoresException($"failed to fetch sector file (tried {string.Join(", ", urls)}): {string.Join("; ", errors)}");
    }

    /// <summary>
    /// Lotus <c>Remote.Remove</c>: the type is removed from this host's paths (except <paramref name="keepIn"/>), then
    /// every other holder the index still lists is asked to delete its copy (<c>DELETE /remote/&lt;type&gt;/&lt;sector&gt;</c>
    /// with <c>?keep=</c>), one URL per holder; a holder that cannot be reached is logged and keeps its copy.
    /// </summary>
    /// <exception cref="StoresException">Not a single type, or (without <paramref name="force"/>) no copy known.</exception>
    public async Task RemoveAsync(SectorId sector, SectorFileType fileType, bool force, IReadOnlyCollection<StorageId> keepIn, CancellationToken ct)
    {
        await _local.RemoveAsync(sector, fileType, force, keepIn, ct).ConfigureAwait(false);
        var holders = await _index.StorageFindSectorAsync(sector, fileType, 0, false, ct).ConfigureAwait(false);
        foreach (var holder in holders.Where(h => !keepIn.Contains(h.ID)))
        {
            foreach (var url in holder.URLs ?? [])
            {
                try
                {
                    await DeleteAtSourceAsync(url, keepIn.Count == 0 ? null : [.. keepIn], ct).ConfigureAwait(false);
                    break;
                }
                catch (Exception e) when (e is HttpRequestException or StoresException
                                          || (e is OperationCanceledException && !ct.IsCancellationRequested))
                {
                    LogDeleteFailed(url, e);
                }
            }
        }
    }

    /// <summary>
    /// Lotus <c>Remote.RemoveCopies</c>: this host's non-primary copies go (<see cref="LocalStore.RemoveCopiesAsync"/>),
    /// then every other holder's copy but the primary one's.
    /// </summary>
    public async Task RemoveCopiesAsync(SectorId sector, SectorFileType fileType, CancellationToken ct)
    {
        await _local.RemoveCopiesAsync(sector, fileType, ct).ConfigureAwait(false);
        var holders = await _index.StorageFindSectorAsync(sector, fileType, 0, false, ct).ConfigureAwait(false);
        var primary = holders.FirstOrDefault(h => h.Primary);
        if (primary is null)
        {
            return;
        }

        await RemoveAsync(sector, fileType, force: true, [primary.ID], ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Lotus <c>Remote.MoveStorage</c>: the types are first made local (fetched with move semantics when another host
    /// holds them), then moved to this host's best long-term path (<see cref="LocalStore.MoveStorageAsync"/>).
    /// </summary>
    public async Task MoveStorageAsync(SectorRef sector, SectorFileType types, CancellationToken ct)
    {
        var here = await AcquireSectorAsync(sector, types, SectorFileType.None, PathType.Storage, AcquireMode.Move, ct).ConfigureAwait(false);
        var missing = types & ~here.Paths.Present;
        if (missing != SectorFileType.None)
        {
            throw new StoresException($"move sector {sector.ID.ToSectorName()} to storage: {SectorFileTypes.Format(missing)} found nowhere");
        }

        await _local.MoveStorageAsync(sector, types, ct).ConfigureAwait(false);
    }

    /// <summary>Lotus <c>deleteFromRemote</c>: <c>?keep=</c> only when a keep list is given.</summary>
    private async Task DeleteAtSourceAsync(string url, IReadOnlyList<StorageId>? keep, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, keep is null ? url : url + "?keep=" + Uri.EscapeDataString(StorageId.JoinList(keep)));
        Authorize(request);
        using var response = await _http.SendAsync(request, ct).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new StoresException($"delete {url}: non-200 code: {(int)response.StatusCode}");
        }
    }

    private void Authorize(HttpRequestMessage request)
    {
        if (_options.AuthToken is { Length: > 0 } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    /// <summary>
    /// Lotus <c>move</c>: a rename within the path's filesystem (the base names match), published durably: the fetched
    /// file or cache directory flushed to disk before the rename and the directories flushed after it, so a crash never
    /// leaves a declared name over data that did not reach the disk.
    /// </summary>
    private static void Move(string temp, string dest) => Durability.PublishRename(temp, dest);

    [LoggerMessage(EventId = 3200, EventName = "FetchedSectorDeclareFailed", Level = LogLevel.Warning, Message = "Declaring fetched sector {Sector} in {StorageId} failed")]
    private partial void LogDeclareFailed(string sector, string storageId, Exception e);

    [LoggerMessage(EventId = 3201, EventName = "MovedSectorDeleteFailed", Level = LogLevel.Warning, Message = "Deleting moved sector files at {Url} failed")]
    private partial void LogDeleteFailed(string url, Exception e);
}
