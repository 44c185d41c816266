using System.Net;
using System.Net.Http.Headers;

namespace Kiln.Api.JsonRpc;

/// <summary>Client half of a pushed reader (lotus-protocol.md §1.7): HEAD until the server reads, then POST the bytes.</summary>
internal static class ReaderPush
{
    public static async Task SendAsync(HttpClient http, Uri url, Stream data)
    {
        try
        {
            for (var hop = 0; hop < 8; hop++)
            {
                using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, url)).ConfigureAwait(false);
                switch (head.StatusCode)
                {
                    case HttpStatusCode.OK:
                        using (var post = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StreamContent(data) })
                        {
                            post.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                            using var response = await http.SendAsync(post).ConfigureAwait(false);
                        }

                        return;
                    case HttpStatusCode.Found when head.Headers.Location is { } location:
                        url = location.IsAbsoluteUri ? location : new Uri(url, location);
                        continue;
                    default:
                        return; // 204: the method closed the reader unread; 500: the server gave up
                }
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException)
        {
            // The RPC call itself reports the failure (its reader errors out).
        }
    }
}
