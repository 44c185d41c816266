using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using Kiln.Api;
using Kiln.Api.Auth;
using Kiln.Api.JsonRpc;
using Kiln.Api.Types;
using Kiln.Miner.Rpc;

namespace Kiln.Miner.Ui;

/// <summary>
/// Maps kiln-miner's dashboard: the page and its script and style at <c>/ui</c> (served to anyone: they hold no data),
/// and the read-only JSON it polls under <c>/ui/api</c>, which needs a Lotus token with <c>read</c> in an
/// <c>Authorization: Bearer</c> header. A query-string token is not accepted there, so tokens stay out of request
/// logs; the page takes <c>?token=</c> once, keeps it in the tab's session storage and drops it from the address bar.
/// </summary>
public static class DashboardEndpoints
{
    /// <summary>Where the page lives (routing matches <c>/ui/</c> too).</summary>
    public const string Path = "/ui";

    /// <summary>What the page and a 401 tell a user without a token.</summary>
    public const string TokenHint = "kiln-miner auth api-info --perm read";

    /// <summary>What a 403 from <c>proving check</c> tells a user whose token lacks <c>admin</c>.</summary>
    public const string AdminHint = "kiln-miner auth api-info --perm admin";

    // Only the page's own script, style and API: no inline code, no other origin, no framing.
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly FrozenDictionary<string, Asset> s_assets = new Dictionary<string, Asset>
    {
        [Path] = Asset.Load("index.html", "text/html; charset=utf-8"),
        [Path + "/dashboard.js"] = Asset.Load("dashboard.js", "text/javascript; charset=utf-8"),
        [Path + "/dashboard.css"] = Asset.Load("dashboard.css", "text/css; charset=utf-8"),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder endpoints, Dashboard dashboard, LotusAuthenticator auth)
    {
        ArgumentNullException.ThrowIfNull(dashboard);
        ArgumentNullException.ThrowIfNull(auth);
        foreach (var (path, asset) in s_assets)
        {
            endpoints.MapGet(path, asset.WriteAsync);
        }

        endpoints.MapGet(Path + "/api/snapshot", http => SnapshotAsync(http, auth, dashboard));
        endpoints.MapGet(Path + "/api/deadlines/{index:int}", http => DeadlineAsync(http, auth, dashboard));
        endpoints.MapGet(Path + "/api/deadlines/{index:int}/check", http => CheckAsync(http, auth, dashboard));
        return endpoints;
    }

    private static async Task SnapshotAsync(HttpContext http, LotusAuthenticator auth, Dashboard dashboard)
    {
        if (await AuthorizeAsync(http, auth).ConfigureAwait(false))
        {
            await WriteJsonAsync(http, StatusCodes.Status200OK, await dashboard.SnapshotAsync(http.RequestAborted).ConfigureAwait(false)).ConfigureAwait(false);
        }
    }

    private static async Task DeadlineAsync(HttpContext http, LotusAuthenticator auth, Dashboard dashboard)
    {
        if (!await AuthorizeAsync(http, auth).ConfigureAwait(false))
        {
            return;
        }

        var index = int.Parse((string)http.Request.RouteValues["index"]!, CultureInfo.InvariantCulture);
        ProvingDeadlineTimeline timeline;
        try
        {
            timeline = await dashboard.DeadlineAsync(index, http.RequestAborted).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.Code == RpcErrorCodes.Application)
        {
            // An index outside the chain's deadlines per period.
            await ErrorAsync(http, StatusCodes.Status400BadRequest, e.Message).ConfigureAwait(false);
            return;
        }

        await WriteJsonAsync(http, StatusCodes.Status200OK, timeline).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>proving check</c> of one deadline, run when the page asks (it reads every sector's vanilla proof): every live
    /// sector of its partitions, bad ones with the reason. It needs <c>admin</c>, as <c>KilnProvingCheck</c> over RPC.
    /// </summary>
    private static async Task CheckAsync(HttpContext http, LotusAuthenticator auth, Dashboard dashboard)
    {
        if (!await AuthorizeAsync(http, auth, Permission.Admin, "proving check reads every sector's vanilla proof, as `kiln-miner proving check` does", AdminHint).ConfigureAwait(false))
        {
            return;
        }

        var index = int.Parse((string)http.Request.RouteValues["index"]!, CultureInfo.InvariantCulture);
        IReadOnlyList<ProvingCheckRow> rows;
        try
        {
            rows = await dashboard.CheckAsync(index, http.RequestAborted).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.Code == RpcErrorCodes.Application)
        {
            await ErrorAsync(http, StatusCodes.Status400BadRequest, e.Message).ConfigureAwait(false);
            return;
        }

        await WriteJsonAsync(http, StatusCodes.Status200OK, rows).ConfigureAwait(false);
    }

    private static Task<bool> AuthorizeAsync(HttpContext http, LotusAuthenticator auth) => AuthorizeAsync(http, auth, Permission.Read, null, TokenHint);

    /// <summary>
    /// True when the request carries an <c>Authorization: Bearer</c> token that grants <paramref name="permission"/>
    /// (<paramref name="why"/> says what for, when it is more than <c>read</c>); otherwise writes
    /// 401 (no token, a bad one) or 403 (no <c>read</c>) with a body that says how to get one.
    /// </summary>
    private static async Task<bool> AuthorizeAsync(HttpContext http, LotusAuthenticator auth, string permission, string? why, string hint)
    {
        if (string.IsNullOrEmpty(http.Request.Headers.Authorization))
        {
            await ErrorAsync(http, StatusCodes.Status401Unauthorized, $"missing token: send 'Authorization: Bearer <token>'; get one with `{TokenHint}`").ConfigureAwait(false);
            return false;
        }

        var permissions = await auth.AuthenticateAsync(http).ConfigureAwait(false);
        if (permissions is null)
        {
            await ErrorAsync(http, StatusCodes.Status401Unauthorized, $"invalid token: get a new one with `{TokenHint}`").ConfigureAwait(false);
            return false;
        }

        if (!permissions.Contains(permission))
        {
            await ErrorAsync(http, StatusCodes.Status403Forbidden, $"the token lacks the '{permission}' permission{(why is null ? "" : " (" + why + ")")}: get one with `{hint}`").ConfigureAwait(false);
            return false;
        }

        return true;
    }

    private static Task ErrorAsync(HttpContext http, int status, string message)
    {
        if (status == StatusCodes.Status401Unauthorized)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
        }

        return WriteJsonAsync(http, status, new DashboardError(message));
    }

    private static async Task WriteJsonAsync<T>(HttpContext http, int status, T value)
    {
        http.Response.StatusCode = status;
        http.Response.Headers.CacheControl = "no-store";
        http.Response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(http.Response.Body, value, ApiJson.Options, http.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>One of the page's files, read once from the assembly's resources.</summary>
    private sealed record Asset(byte[] Body, string ContentType)
    {
        public static Asset Load(string name, string contentType)
        {
            using var stream = typeof(DashboardEndpoints).Assembly.GetManifestResourceStream("Kiln.Miner.Ui." + name)
                ?? throw new InvalidOperationException($"the dashboard's {name} is not embedded in {typeof(DashboardEndpoints).Assembly.GetName().Name}");
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return new Asset(copy.ToArray(), contentType);
        }

        public Task WriteAsync(HttpContext http)
        {
            var headers = http.Response.Headers;
            headers.ContentType = ContentType;
            headers.CacheControl = "no-cache";
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            http.Response.ContentLength = Body.Length;
            return http.Response.Body.WriteAsync(Body, http.RequestAborted).AsTask();
        }
    }
}
