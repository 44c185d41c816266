using Microsoft.AspNetCore.Http;

namespace Kiln.Api.Auth;

/// <summary>
/// go-jsonrpc's auth handler (go-jsonrpc auth/handler.go <c>Handler.ServeHTTP</c>): <c>Authorization: Bearer &lt;jwt&gt;</c>. A header without the
/// <c>Bearer </c> prefix or a token that fails verification gets 401 with an empty body (an expired one, with the
/// reason); no token at all proceeds with <see cref="Permission.Default"/>. Unlike Lotus, a <c>token</c> query parameter
/// is refused with 401: URLs end up in logs, proxies and shell history (only the dashboard page takes one, in the browser).
/// The verifier is pluggable: a miner checks its own secret, a worker asks the miner's <c>AuthVerify</c>.
/// </summary>
public sealed class LotusAuthenticator(Func<string, CancellationToken, ValueTask<IReadOnlyList<string>>> verify)
{
    public static LotusAuthenticator FromSecret(ApiSecret secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return new LotusAuthenticator((token, _) => ValueTask.FromResult(secret.Verify(token)));
    }

    /// <summary>The 401 body for a token in the query string.</summary>
    public const string QueryTokenRefused = "tokens in the URL (?token=) are refused: send the header 'Authorization: Bearer <token>'\n";

    public ValueTask<IReadOnlyList<string>> VerifyAsync(string token, CancellationToken cancellationToken) => verify(token, cancellationToken);

    /// <summary>The caller's permissions, or null after writing 401.</summary>
    public async ValueTask<IReadOnlyList<string>?> AuthenticateAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Request.Query.ContainsKey("token"))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            await context.Response.WriteAsync(QueryTokenRefused, context.RequestAborted).ConfigureAwait(false);
            return null;
        }

        string? token = context.Request.Headers.Authorization;
        if (string.IsNullOrEmpty(token))
        {
            return Permission.Default;
        }

        if (!token.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return null;
        }

        try
        {
            return await verify(token["Bearer ".Length..], context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            if (ex.Message.Contains(LotusToken.ExpiredMarker, StringComparison.Ordinal))
            {
                await context.Response.WriteAsync(ex.Message + "\n", context.RequestAborted).ConfigureAwait(false);
            }

            return null;
        }
    }
}
