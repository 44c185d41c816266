using Microsoft.AspNetCore.Http;

namespace Kiln.Api.Auth;

/// <summary>
/// go-jsonrpc's auth handler (lotus-protocol.md §2.3): <c>Authorization: Bearer &lt;jwt&gt;</c>, else the
/// <c>token</c> query parameter. A header without the <c>Bearer </c> prefix or a token that fails
/// verification gets 401 with an empty body; no token at all proceeds with <see cref="Permission.Default"/>.
/// The verifier is pluggable: a miner checks its own secret, a worker asks the miner's <c>AuthVerify</c>.
/// </summary>
public sealed class LotusAuthenticator(Func<string, CancellationToken, ValueTask<IReadOnlyList<string>>> verify)
{
    public static LotusAuthenticator FromSecret(ApiSecret secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return new LotusAuthenticator((token, _) => ValueTask.FromResult(secret.Verify(token)));
    }

    public ValueTask<IReadOnlyList<string>> VerifyAsync(string token, CancellationToken cancellationToken) => verify(token, cancellationToken);

    /// <summary>The caller's permissions, or null after writing 401.</summary>
    public async ValueTask<IReadOnlyList<string>?> AuthenticateAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        string? token = context.Request.Headers.Authorization;
        if (string.IsNullOrEmpty(token))
        {
            string? query = context.Request.Query["token"];
            token = string.IsNullOrEmpty(query) ? null : "Bearer " + query;
        }

        if (token is null)
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
            return null;
        }
    }
}
