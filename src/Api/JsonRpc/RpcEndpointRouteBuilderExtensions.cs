using System.Net.WebSockets;
using Kiln.Api.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Kiln.Api.JsonRpc;

/// <summary>Maps an <see cref="RpcServer"/> the way lotus mounts go-jsonrpc.</summary>
public static class RpcEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <paramref name="pattern"/> (e.g. <c>/rpc/v0</c>) for JSON-RPC over HTTP (any method) and WebSocket
    /// (<c>Connection: upgrade</c>), and the reader push endpoint beside it (<c>/rpc/streams/v0/push/{uuid}</c>).
    /// With <paramref name="auth"/> the endpoints authenticate themselves (as go-jsonrpc auth/handler.go
    /// <c>Handler.ServeHTTP</c> does); without it they use the
    /// permissions set by <see cref="LotusAuthMiddleware.UseLotusAuth"/>, or all permissions when there is none.
    /// Pushes never need a token, but a bad one is still refused with 401, as behind lotus's middleware.
    /// </summary>
    public static IEndpointConventionBuilder MapLotusRpc(this IEndpointRouteBuilder endpoints, string pattern, RpcServer server, LotusAuthenticator? auth = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        endpoints.Map(PushPattern(pattern) + "/{id}", async context =>
        {
            if (auth is not null && await auth.AuthenticateAsync(context).ConfigureAwait(false) is null)
            {
                return;
            }

            await server.Streams.HandlePushAsync(context, (string)context.Request.RouteValues["id"]!).ConfigureAwait(false);
        });

        return endpoints.Map(pattern, async context =>
        {
            var permissions = auth is null ? context.GetLotusPermissions() : await auth.AuthenticateAsync(context).ConfigureAwait(false);
            if (permissions is null)
            {
                return;
            }

            if (context.Request.Headers.Connection.ToString().Contains("upgrade", StringComparison.OrdinalIgnoreCase))
            {
                await ServeWebSocketAsync(context, server, permissions).ConfigureAwait(false);
                return;
            }

            await ServeHttpAsync(context, server, permissions).ConfigureAwait(false);
        });
    }

    /// <summary><c>/rpc/v0</c> → <c>/rpc/streams/v0/push</c>; other patterns get <c>{pattern}/streams/push</c>.</summary>
    internal static string PushPattern(string pattern)
    {
        var trimmed = pattern.TrimEnd('/');
        var slash = trimmed.LastIndexOf('/');
        return slash >= 0 && trimmed.AsSpan(0, slash).EndsWith("/rpc", StringComparison.Ordinal)
            ? trimmed[..slash] + "/streams" + trimmed[slash..] + "/push"
            : trimmed + "/streams/push";
    }

    private static async Task ServeHttpAsync(HttpContext context, RpcServer server, IReadOnlyList<string> permissions)
    {
        var max = server.Options.RequestSizeLimit(permissions);
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            // One byte over our own limit, so that we answer the JSON-RPC error and Kestrel never drains the rest of an
            // oversized body after the answer.
            limit.MaxRequestBodySize = max < long.MaxValue ? max + 1 : null;
        }

        // The limit follows the caller's permission (RpcServerOptions.RequestSizeLimit): a token-less caller's body is
        // refused after 1 MiB, a declared length over the limit before a byte is read. Buffers above 1 MiB are not
        // pooled (PooledBufferWriter), so a burst of large bodies leaves nothing pinned behind it.
        using var output = new PooledBufferWriter(1024);
        int status;
        if (context.Request.ContentLength > max)
        {
            using var writer = new System.Text.Json.Utf8JsonWriter(output, RpcWire.WriterOptions);
            status = server.WriteRequestTooLarge(output, writer, max);
            CloseAfterResponse(context);
        }
        else
        {
            // Grown as bytes arrive, not sized from Content-Length: a client that declares 1 MiB and sends nothing holds 4 KiB.
            using var body = new PooledBufferWriter(4096);
            if (!await body.ReadFromAsync(context.Request.Body, max, context.RequestAborted).ConfigureAwait(false))
            {
                CloseAfterResponse(context);
            }

            status = await server.ProcessHttpAsync(body.WrittenMemory, permissions, output, context.RequestAborted).ConfigureAwait(false);
        }

        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.ContentLength = output.Length;
        await response.Body.WriteAsync(output.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The rest of a refused body is not worth draining: HTTP/1.1 closes the connection after the answer.</summary>
    private static void CloseAfterResponse(HttpContext context)
    {
        if (HttpProtocol.IsHttp11(context.Request.Protocol) || HttpProtocol.IsHttp10(context.Request.Protocol))
        {
            context.Response.Headers.Connection = "close";
        }
    }

    private static async Task ServeWebSocketAsync(HttpContext context, RpcServer server, IReadOnlyList<string> permissions)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        context.Response.Headers.AccessControlAllowOrigin = "*";
        var protocols = context.WebSockets.WebSocketRequestedProtocols;
        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            SubProtocol = protocols.Count > 0 ? protocols[0] : null,
            KeepAliveInterval = server.Options.PingInterval,
        }).ConfigureAwait(false);
        // Sessions end with the request or when the host stops, so clients see the close and redial.
        var stopping = context.RequestServices.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        await new RpcWebSocketSession(server, socket, permissions).RunAsync(ended.Token).ConfigureAwait(false);
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            try
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
            {
                RpcServer.Log.WebSocketEnded(server.Logger, ex);
            }
        }
    }
}
