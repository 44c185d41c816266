using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;

namespace Kiln.Api.JsonRpc;

/// <summary>
/// Client half of a pushed reader (Lotus lib/rpcenc/reader.go ReaderParamEncoder): HEAD the push URL until the
/// server's method reads (200; a 302 names another server to push to), then POST the bytes as the request body.
/// A 204 means the method closed the reader unread: nothing is sent.
/// </summary>
internal static partial class ReaderPush
{
    /// <summary>
    /// Lotus's push client: no overall timeout (the HEAD parks until the method reads, the POST lasts as long as
    /// the piece) and redirects answered by hand, so a 302 moves the HEAD, not the POST.
    /// </summary>
    internal static readonly HttpClient DefaultHttp = new(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>Pushes <paramref name="data"/>; returns the final HTTP status (0 when the push failed on the way).</summary>
    public static async Task<int> SendAsync(HttpClient http, Uri url, Stream data, ILogger logger)
    {
        try
        {
            for (var hop = 0; hop < 16; hop++)
            {
                using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, url)).ConfigureAwait(false);
                switch (head.StatusCode)
                {
                    case HttpStatusCode.OK:
                        // A source that fails mid-body cancels the POST: cancellation aborts the connection, so the
                        // server sees the push cut at once (a failed body alone may leave the socket open).
                        using (var cut = new CancellationTokenSource())
                        using (var post = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StreamContent(new CutOnFailureStream(data, cut), 1 << 20) })
                        {
                            post.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");

                            // The connection ends with the push: a push cut by its source must reach the server as a
                            // closed connection, never as a pooled one with half a chunked body sent.
                            post.Headers.ConnectionClose = true;
                            using var response = await http.SendAsync(post, cut.Token).ConfigureAwait(false);
                            if (response.StatusCode != HttpStatusCode.OK)
                            {
                                LogPushFailed(logger, url, $"POST answered {(int)response.StatusCode}");
                            }

                            return (int)response.StatusCode;
                        }

                    case HttpStatusCode.Found when head.Headers.Location is { } location:
                        url = location.IsAbsoluteUri ? location : new Uri(url, location);
                        continue;
                    case HttpStatusCode.NoContent:
                        return 204; // the method closed the reader before reading anything
                    default:
                        LogPushFailed(logger, url, $"HEAD answered {(int)head.StatusCode}");
                        return (int)head.StatusCode;
                }
            }

            LogPushFailed(logger, url, "too many redirects");
            return 0;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException)
        {
            // The RPC call itself reports the failure (its reader errors out).
            LogPushFailed(logger, url, ex.Message);
            return 0;
        }
    }

    [LoggerMessage(EventId = 1000, EventName = "ReaderPushFailed", Level = LogLevel.Warning, Message = "Sending reader param to {Url} failed: {Reason}")]
    private static partial void LogPushFailed(ILogger logger, Uri url, string reason);
}
