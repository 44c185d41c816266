using Microsoft.Extensions.Logging;

namespace Kiln.Api.JsonRpc;

/// <summary>Settings of an <see cref="RpcServer"/>; the defaults are go-jsonrpc's and lotus's.</summary>
public sealed class RpcServerOptions
{
    /// <summary>go-jsonrpc's <c>DEFAULT_MAX_REQUEST_SIZE</c>: 100 MiB.</summary>
    public const long DefaultMaxRequestSize = 100L << 20;

    /// <summary>Default <see cref="MaxReadOnlyRequestSize"/>: 1 MiB.</summary>
    public const long DefaultMaxReadOnlyRequestSize = 1L << 20;

    /// <summary>
    /// Largest accepted HTTP body or WebSocket message, in bytes, for callers holding write, sign or admin
    /// (go-jsonrpc applies one limit to every caller; Kiln applies this one only to callers that may change state).
    /// </summary>
    public long MaxRequestSize { get; set; } = DefaultMaxRequestSize;

    /// <summary>
    /// Largest accepted HTTP body or WebSocket message for callers holding only read: anonymous callers (no token)
    /// and read tokens. Such a body is refused once this many bytes arrived, before any more is buffered. Default 1 MiB.
    /// </summary>
    public long MaxReadOnlyRequestSize { get; set; } = DefaultMaxReadOnlyRequestSize;

    /// <summary>Most calls one WebSocket session runs at once; the session stops reading frames until one ends. Default 256.</summary>
    public int MaxCallsInFlightPerSession { get; set; } = 256;

    /// <summary>
    /// Most bytes of request frames one WebSocket session holds for its running calls (a single larger frame is still
    /// admitted alone); the session stops reading frames until calls end. Default 16 MiB.
    /// </summary>
    public long MaxInFlightBytesPerSession { get; set; } = 16L << 20;

    /// <summary>
    /// Most bytes of responses and channel values one WebSocket session queues for a client that does not read them
    /// (a single larger message is still sent alone); past it the client is disconnected. Default 16 MiB.
    /// </summary>
    public long MaxQueuedSendBytesPerSession { get; set; } = 16L << 20;

    /// <summary>How long one WebSocket frame may take to send before the client is deemed to have stopped reading and is disconnected. Default 30 s.</summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(30);

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

    /// <summary>The request size limit for a caller holding <paramref name="permissions"/>.</summary>
    public long RequestSizeLimit(IReadOnlyList<string> permissions)
    {
        ArgumentNullException.ThrowIfNull(permissions);
        for (var i = 0; i < permissions.Count; i++)
        {
            if (permissions[i] is Permission.Write or Permission.Sign or Permission.Admin)
            {
                return MaxRequestSize;
            }
        }

        return Math.Min(MaxReadOnlyRequestSize, MaxRequestSize);
    }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRequestSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxReadOnlyRequestSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxCallsInFlightPerSession, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxInFlightBytesPerSession, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxQueuedSendBytesPerSession, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(SendTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(StreamTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ReaderIdleTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPendingReaders, 1);
    }
}
