using System.Formats.Tar;
using System.Globalization;
using System.Text.Json;
using Kiln.Api.Types;
using Kiln.Proofs;
using Kiln.Proofs.Pieces;
using Kiln.Stores.Index;
using Kiln.Stores.Local;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Stores.Remote;

/// <summary>
/// Lotus's <c>/remote</c> sector file store (storage/paths/http_handler.go <c>FetchHandler</c>), served by miners and
/// workers alike: path stats, sector files (ranged) and cache directories (tar), deletes, and the unsealed
/// allocated-range check. Statuses follow Lotus, including 500 (not 404) for a bad or absent sector.
/// </summary>
public static partial class RemoteStoreEndpoints
{
    /// <summary>What a worker answers a caller without admin rights (a miner says "missing write permission").</summary>
    public const string WorkerUnauthorized = "unauthorized: missing admin permission";

    public const string OctetStream = "application/octet-stream";

    public const string Tar = "application/x-tar";

    /// <summary>
    /// Maps <c>/remote/...</c>. <paramref name="authorize"/> decides whether the caller has admin rights (the auth
    /// middleware's seam); it runs before routing, as in Lotus, so even an unknown path or a wrong method answers 401
    /// to a caller without them. <paramref name="index"/> is the index <paramref name="local"/> declares into (the
    /// handlers find and drop sectors through the store, as Lotus's handler does through its <c>Local</c>).
    /// </summary>
    public static RouteGroupBuilder MapRemoteStore(
        this IEndpointRouteBuilder app,
        LocalStore local,
        ISectorIndex index,
        Func<HttpContext, CancellationToken, ValueTask<bool>> authorize,
        string unauthorizedError = WorkerUnauthorized)
    {
        ArgumentNullException.ThrowIfNull(index);
        var log = app.ServiceProvider.GetService<ILoggerFactory>()?.CreateLogger(typeof(RemoteStoreEndpoints).FullName!)
            ?? NullLogger.Instance;
        var handler = new Handler(local, log);
        var unauthorizedBody = JsonSerializer.Serialize(new { Error = unauthorizedError }) + "\n";

        var group = app.MapGroup("/remote");
        group.AddEndpointFilter(async (ctx, next) =>
        {
            var http = ctx.HttpContext;
            if (!await authorize(http, http.RequestAborted).ConfigureAwait(false))
            {
                if (http.Response.HasStarted)
                {
                    // The authenticator already answered (a refused ?token=, an expired token).
                    return Results.Empty;
                }

                http.Response.StatusCode = StatusCodes.Status401Unauthorized;
                http.Response.ContentType = "text/plain; charset=utf-8";
                await http.Response.WriteAsync(unauthorizedBody, http.RequestAborted).ConfigureAwait(false);
                return Results.Empty;
            }

            return await next(ctx).ConfigureAwait(false);
        });

        group.MapGet("stat/{id}", handler.StatAsync);
        group.MapGet("{type}/{name}", handler.GetSectorAsync);
        group.MapDelete("{type}/{name}", handler.DeleteSectorAsync);
        group.MapGet("{type}/{name}/{spt}/allocated/{offset}/{size}", handler.GetAllocatedAsync);
        VanillaProofEndpoints.Map(group, local, log);
        group.Map("{**rest}", (HttpContext http, string? rest) => NoRoute(http, rest));
        return group;
    }

    /// <summary>After authorization, gorilla/mux's answers: 405 when a route's path matches with another method, else 404.</summary>
    private static IResult NoRoute(HttpContext http, string? rest)
    {
        var segments = (rest ?? "").Split('/');
        string? allow = segments switch
        {
            ["stat", { Length: > 0 }] => "GET",
            [{ Length: > 0 }, { Length: > 0 }] => "GET, DELETE",
            [{ Length: > 0 }, { Length: > 0 }, { Length: > 0 }, "allocated", { Length: > 0 }, { Length: > 0 }] => "GET",
            _ => null,
        };
        if (allow is null)
        {
            return Results.NotFound();
        }

        http.Response.Headers.Allow = allow;
        return Results.StatusCode(StatusCodes.Status405MethodNotAllowed);
    }

    private sealed partial class Handler(LocalStore local, ILogger log)
    {
        private static readonly IResult ServerError = Results.StatusCode(StatusCodes.Status500InternalServerError);

        public async Task<IResult> StatAsync(string id, CancellationToken ct)
        {
            try
            {
                var stat = await local.FsStatAsync(new StorageId(id), ct).ConfigureAwait(false);
                return Results.Text(JsonSerializer.Serialize(stat, ApiJson.Options) + "\n", "text/plain; charset=utf-8");
            }
            catch (StoragePathNotFoundException)
            {
                return Results.NotFound();
            }
            catch (Exception e) when (IsFailure(e))
            {
                LogFailed("stat", id, e);
                return ServerError;
            }
        }

        public async Task<IResult> GetSectorAsync(HttpContext http, string type, string name, CancellationToken ct)
        {
            try
            {
                if (await LocalFileAsync(type, name, ct).ConfigureAwait(false) is not { } path)
                {
                    return ServerError;
                }

                if (SectorPathGuard.SymlinkIn(path) is { } link)
                {
                    LogSymlinkRefused(link);
                    return ServerError;
                }

                if (Directory.Exists(path))
                {
                    if (http.Request.Headers.ContainsKey("Range"))
                    {
                        LogRangeOnDirectory(path);
                        return ServerError;
                    }

                    return new TarResult(path);
                }

                if (!File.Exists(path))
                {
                    return ServerError;
                }

                return Results.File(path, OctetStream, lastModified: File.GetLastWriteTimeUtc(path), enableRangeProcessing: true);
            }
            catch (Exception e) when (IsFailure(e))
            {
                LogFailed("get", type + "/" + name, e);
                return ServerError;
            }
        }

        public async Task<IResult> DeleteSectorAsync(string type, string name, string? keep, CancellationToken ct)
        {
            try
            {
                if (!TryParse(type, name, out var fileType, out var sector))
                {
                    return ServerError;
                }

                await local.RemoveAsync(sector, fileType, false, [.. StorageId.SplitList(keep ?? "")], ct).ConfigureAwait(false);
                return Results.Ok();
            }
            catch (Exception e) when (IsFailure(e))
            {
                LogFailed("delete", type + "/" + name, e);
                return ServerError;
            }
        }

        public async Task<IResult> GetAllocatedAsync(string type, string name, string spt, string offset, string size, CancellationToken ct)
        {
            try
            {
                if (type != "unsealed"
                    || !long.TryParse(spt, NumberStyles.None, CultureInfo.InvariantCulture, out var proof)
                    || !ulong.TryParse(offset, NumberStyles.None, CultureInfo.InvariantCulture, out var off)
                    || !ulong.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out var len)
                    || await LocalFileAsync(type, name, ct).ConfigureAwait(false) is not { } path
                    || !File.Exists(path)
                    || SectorPathGuard.SymlinkIn(path) is not null)
                {
                    return ServerError;
                }

                var sectorSize = SealProofInfo.Get(proof).SectorSize;
                return IsAllocated(path, sectorSize, off, len)
                    ? Results.Ok()
                    : Results.StatusCode(StatusCodes.Status416RangeNotSatisfiable);
            }
            catch (Exception e) when (IsFailure(e))
            {
                LogFailed("allocated", type + "/" + name, e);
                return ServerError;
            }
        }

        /// <summary>Lotus <c>PartialFile.HasAllocated</c>: every padded byte of the unpadded range is allocated.</summary>
        private static bool IsAllocated(string path, ulong sectorSize, ulong unpaddedOffset, ulong unpaddedSize)
        {
            var start = (UInt128)unpaddedOffset + unpaddedOffset / 127;
            var length = (UInt128)unpaddedSize + unpaddedSize / 127;
            using var file = File.OpenHandle(path);

            // A file of exactly the sector size has no trailer and counts as fully allocated.
            IEnumerable<(ulong Offset, ulong Size)> runs = RandomAccess.GetLength(file) == (long)sectorSize
                ? [(0UL, sectorSize)]
                : PartialFile.ReadAllocated(file, sectorSize);
            UInt128 covered = 0;
            foreach (var (o, s) in runs)
            {
                var lo = UInt128.Max(o, start);
                var hi = UInt128.Min((UInt128)o + s, start + length);
                if (hi > lo)
                {
                    covered += hi - lo;
                }
            }

            return covered == length;
        }

        /// <summary>The local file of <c>{type}/{name}</c> by way of the index, or null when the request names nothing here.</summary>
        private async Task<string?> LocalFileAsync(string type, string name, CancellationToken ct)
        {
            if (!TryParse(type, name, out var fileType, out var sector))
            {
                return null;
            }

            var acquired = await local.AcquireSectorAsync(new SectorRef(sector, 0), fileType, SectorFileType.None, PathType.Storage, ct).ConfigureAwait(false);
            var path = acquired.Paths[fileType];
            return path.Length > 0 ? path : null;
        }

        private static bool TryParse(string type, string name, out SectorFileType fileType, out SectorId sector)
        {
            sector = default;
            return SectorFileTypes.TryParse(type, out fileType) && SectorId.TryParseSectorName(name, out sector);
        }

        private static bool IsFailure(Exception e) => e is not OperationCanceledException;

        [LoggerMessage(EventId = 3100, EventName = "RemoteRequestFailed", Level = LogLevel.Error, Message = "/remote {Operation} {Target} failed")]
        private partial void LogFailed(string operation, string target, Exception e);

        [LoggerMessage(EventId = 3101, EventName = "RangeOnDirectory", Level = LogLevel.Error, Message = "Range not supported on directories: {Path}")]
        private partial void LogRangeOnDirectory(string path);

        [LoggerMessage(EventId = 3102, EventName = "RemoteSymlinkRefused", Level = LogLevel.Warning, Message = "Refusing to serve {Path}: it is a symlink inside a storage path")]
        private partial void LogSymlinkRefused(string path);
    }

    /// <summary>200 <c>application/x-tar</c>: the directory's top-level files, each under its base name.</summary>
    private sealed class TarResult(string dir) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            // Regular files only: a symlink (refused before the response started, or created since) is never tarred.
            var files = new DirectoryInfo(dir).EnumerateFiles().Where(f => f.LinkTarget is null).OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
            http.Response.StatusCode = StatusCodes.Status200OK;
            http.Response.ContentType = Tar;
            var tar = new TarWriter(http.Response.Body, TarEntryFormat.Pax, leaveOpen: true);
            await using var tarScope = tar.ConfigureAwait(false);
            foreach (var f in files)
            {
                await tar.WriteEntryAsync(f.FullName, f.Name, http.RequestAborted).ConfigureAwait(false);
            }
        }
    }
}
