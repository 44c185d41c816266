using Microsoft.Extensions.Logging;

namespace Kiln.Api.JsonRpc;

/// <summary>Settings of an <see cref="RpcServer"/>; the defaults are go-jsonrpc's and lotus's.</summary>
public sealed class RpcServerOptions
{
    /// <summary>go-jsonrpc's <c>DEFAULT_MAX_REQUEST_SIZE</c>: 100 MiB.</summary>
    public const long DefaultMaxRequestSize = 100L << 20;

    /// <summary>Largest accepted HTTP body or WebSocket message, in bytes.</summary>
    public long MaxRequestSize { get; set; } = DefaultMaxRequestSize;

    /// <summary>WebSocket ping interval (go-jsonrpc <c>WithServerPingInterval</c> default: 5 s).</summary>
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long either half of a pushed reader waits for the other (lotus <c>rpcenc.Timeout</c>: 30 s).</summary>
    public TimeSpan StreamTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a pushed reader may wait unread (its method holding it, or it waiting for a method) before its slot
    /// expires: a parked HEAD is answered 500 and a later read fails. Lotus has no such bound; this one keeps an
    /// abandoned reader from pinning the server forever. Default 1 hour, long enough for a piece that waits for a
    /// sector.
    /// </summary>
    public TimeSpan ReaderIdleTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Most pushed readers pending (not yet closed) at once; more are refused (503 on the push endpoint). Default 1024.</summary>
    public int MaxPendingReaders { get; set; } = 1024;

    /// <summary>Client for <c>{"Type":"http"}</c> reader params; a shared default client when null.</summary>
    public HttpClient? HttpReaderClient { get; set; }

    public ILoggerFactory? LoggerFactory { get; set; }

    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRequestSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(StreamTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ReaderIdleTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPendingReaders, 1);
    }
}
