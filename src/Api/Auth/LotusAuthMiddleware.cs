using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Kiln.Api.Auth;

/// <summary>
/// Runs <see cref="LotusAuthenticator"/> in front of the rest of the pipeline (the way lotus wraps its
/// whole mux) and stores the result as a <see cref="LotusPermissionsFeature"/>.
/// </summary>
public static class LotusAuthMiddleware
{
    public static IApplicationBuilder UseLotusAuth(this IApplicationBuilder app, LotusAuthenticator authenticator)
    {
        ArgumentNullException.ThrowIfNull(authenticator);
        return app.Use(async (context, next) =>
        {
            var permissions = await authenticator.AuthenticateAsync(context).ConfigureAwait(false);
            if (permissions is null)
            {
                return;
            }

            context.Features.Set(new LotusPermissionsFeature(permissions));
            await next(context).ConfigureAwait(false);
        });
    }

    /// <summary>The request's permissions: the middleware's, else every permission (no auth configured: go-jsonrpc checks nothing).</summary>
    public static IReadOnlyList<string> GetLotusPermissions(this HttpContext context) =>
        context.Features.Get<LotusPermissionsFeature>()?.Permissions ?? Permission.All;
}
