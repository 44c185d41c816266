using System.Net.WebSockets;
using Microsoft.Extensions.Logging;

namespace Kiln.Api.JsonRpc;

/// <summary>Settings of an <see cref="RpcClient"/>; the defaults are go-jsonrpc's client defaults.</summary>
public sealed class RpcClientOptions
{
    /// <summary>Sent as <c>Authorization: Bearer</c> on RPC calls (never on reader pushes).</summary>
    public string? Token { get; set; }

    /// <summary>
    /// Client for HTTP calls and reader pushes; when null, shared clients with no timeout, as go-jsonrpc's (calls
    /// are bounded by their cancellation token; the push client also follows no redirects, as Lotus's). A client
    /// given here keeps its own <see cref="HttpClient.Timeout"/>, which should not be shorter than a whole call or push.
    /// </summary>
    public HttpClient? HttpClient { get; set; }

    /// <summary>Opens the WebSocket for ws:// endpoints; when null a <see cref="ClientWebSocket"/> carrying the token header.</summary>
    public Func<Uri, CancellationToken, Task<WebSocket>>? WebSocketFactory { get; set; }

    /// <summary>WebSocket ping interval (5 s).</summary>
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A connection with no pong for this long is dropped and redialled (30 s).</summary>
    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>First reconnect delay (100 ms); each next one is 1.5 times longer, plus jitter.</summary>
    public TimeSpan ReconnectMinDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest reconnect delay (5 s).</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    public ILoggerFactory? LoggerFactory { get; set; }
}
