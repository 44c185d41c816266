namespace Kiln.Api.JsonRpc;

/// <summary>
/// A reader that GETs <see cref="Url"/> on its first read (Lotus lib/httpreader HttpReader). As an RPC argument it
/// travels as <c>{"Type":"http","Info":url}</c> while it has not been read, so the callee fetches the data
/// itself; a <c>{"Type":"http"}</c> param decodes to one. Any status but 200 fails the read.
/// </summary>
public sealed class HttpReaderStream : ReadOnlyStream
{
    /// <summary>No overall timeout: a piece may take long to stream; a stalled peer is cut by the socket.</summary>
    private static readonly HttpClient DefaultHttp = new() { Timeout = Timeout.InfiniteTimeSpan };

    private readonly HttpClient _http;
    private HttpResponseMessage? _response;
    private Stream? _body;
    private bool _disposed;

    /// <summary>A reader of <paramref name="url"/>, fetched with <paramref name="http"/> (a shared client when null).</summary>
    public HttpReaderStream(Uri url, HttpClient? http = null)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"an http reader needs an absolute http(s) URL, got '{url}'", nameof(url));
        }

        Url = url;
        _http = http ?? DefaultHttp;
    }

    /// <summary>The resource read.</summary>
    public Uri Url { get; }

    /// <summary>True once the first read started the GET (the reader can no longer be handed on as a URL).</summary>
    public bool Started => _response is not null;

    /// <inheritdoc/>
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_body is null)
        {
            _response = await _http.GetAsync(Url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (_response.StatusCode != System.Net.HttpStatusCode.OK)
            {
                throw new IOException($"http reader {Url}: unexpected http status {(int)_response.StatusCode}");
            }

            _body = await _response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        }

        return await _body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        _body?.Dispose();
        _response?.Dispose();
        base.Dispose(disposing);
    }
}
