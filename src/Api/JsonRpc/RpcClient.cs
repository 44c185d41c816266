using System.Net;
using System.Net.Http.Headers;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Kiln.Api.Types;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Api.JsonRpc;

/// <summary>
/// A go-jsonrpc client. http(s):// endpoints: one POST per call, as lotus's miner and worker talk to each
/// other. ws(s):// endpoints: one WebSocket with channels, <c>xrpc.cancel</c> and reconnects, as the
/// lotus CLIs dial. Ids count from 1, params are always an array, <see cref="Stream"/> arguments go as
/// pushed readers (a <see cref="NullReaderStream"/> as a <c>null</c> reader, an unread
/// <see cref="HttpReaderStream"/> as an <c>http</c> reader). Errors are <see cref="RpcException"/>.
/// </summary>
public sealed class RpcClient : IAsyncDisposable
{
    /// <summary>
    /// go-jsonrpc's HTTP client has no timeout: a worker's synchronous GenerateWindowPoSt runs for minutes. Calls are
    /// bounded by their caller's <see cref="CancellationToken"/>, not by HttpClient's 100 s default.
    /// </summary>
    private static readonly HttpClient DefaultHttp = new() { Timeout = Timeout.InfiniteTimeSpan };
    private readonly WebSocketRpcTransport? _webSocket;
    private readonly ILogger _pushLogger;
    private long _nextId;

    private RpcClient(Uri endpoint, RpcClientOptions options)
    {
        Endpoint = endpoint;
        Options = options;
        Http = options.HttpClient ?? DefaultHttp;
        PushHttp = options.HttpClient ?? ReaderPush.DefaultHttp;
        _pushLogger = options.LoggerFactory?.CreateLogger<RpcClient>() ?? NullLogger<RpcClient>.Instance;
        var pushScheme = endpoint.Scheme is "wss" or "https" ? "https" : "http";
        PushBase = new UriBuilder(endpoint) { Scheme = pushScheme, Port = endpoint.Port, Path = RpcEndpointRouteBuilderExtensions.PushPattern(endpoint.AbsolutePath) + "/" }.Uri;
        if (endpoint.Scheme is "ws" or "wss")
        {
            _webSocket = new WebSocketRpcTransport(this);
        }
        else if (endpoint.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"Unsupported RPC endpoint scheme '{endpoint.Scheme}'.", nameof(endpoint));
        }
    }

    /// <summary>A client for <paramref name="endpoint"/>; ws:// clients connect on first use.</summary>
    public static RpcClient Create(Uri endpoint, RpcClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return new RpcClient(endpoint, options ?? new RpcClientOptions());
    }

    public Uri Endpoint { get; }

    public RpcClientOptions Options { get; }

    internal HttpClient Http { get; }

    /// <summary>The client reader pushes go through: <see cref="RpcClientOptions.HttpClient"/>, else one with no timeout.</summary>
    internal HttpClient PushHttp { get; }

    internal Uri PushBase { get; }

    internal long NextId() => Interlocked.Increment(ref _nextId);

    /// <summary>Calls <paramref name="method"/> and deserializes its result.</summary>
    public async Task<T> InvokeAsync<T>(string method, object?[] args, CancellationToken cancellationToken = default)
    {
        var result = await CallAsync(method, args, null, cancellationToken).ConfigureAwait(false);
        return Deserialize<T>(result);
    }

    /// <summary>Calls a method whose result is ignored (<c>"result":null</c>).</summary>
    public async Task InvokeAsync(string method, object?[] args, CancellationToken cancellationToken = default) =>
        await CallAsync(method, args, null, cancellationToken).ConfigureAwait(false);

    /// <summary>Calls a channel method (WebSocket only) and yields the channel's values until it closes.</summary>
    public IAsyncEnumerable<T> SubscribeAsync<T>(string method, object?[] args, CancellationToken cancellationToken = default) =>
        SubscribeAsync<T>(method, args, null, cancellationToken);

    /// <summary>A typed proxy: every method of <typeparamref name="TInterface"/> becomes a call of <c>{namespace}.{Method}</c>.</summary>
    public TInterface CreateProxy<TInterface>(string? @namespace = null)
        where TInterface : class
    {
        var proxy = DispatchProxy.Create<TInterface, RpcClientProxy>();
        ((RpcClientProxy)(object)proxy).Initialize(this, typeof(TInterface), @namespace);
        return proxy;
    }

    internal async IAsyncEnumerable<T> SubscribeAsync<T>(string method, object?[] args, Type[]? types, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (_webSocket is null)
        {
            throw new NotSupportedException($"{method}: channel methods need a WebSocket (ws://) endpoint.");
        }

        var id = NextId();
        using var request = EncodeRequest(id, method, args, types);
        var subscription = await _webSocket.SubscribeAsync(id, request.WrittenMemory, cancellationToken).ConfigureAwait(false);
        await using (subscription.ConfigureAwait(false))
        {
            await foreach (var value in subscription.Values.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return Deserialize<T>(value);
            }
        }
    }

    internal async Task<ReadOnlyMemory<byte>> CallAsync(string method, object?[] args, Type[]? types, CancellationToken cancellationToken)
    {
        var id = NextId();
        using var request = EncodeRequest(id, method, args, types);
        var response = _webSocket is not null
            ? await _webSocket.CallAsync(id, request.WrittenMemory, cancellationToken).ConfigureAwait(false)
            : await PostAsync(request.WrittenMemory, cancellationToken).ConfigureAwait(false);
        return ResultOf(response);
    }

    private async Task<byte[]> PostAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, Endpoint)
        {
            Content = new ReadOnlyMemoryContent(body),
        };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (Options.Token is { Length: > 0 } token)
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await Http.SendAsync(message, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.BadRequest or HttpStatusCode.InternalServerError))
        {
            throw new HttpRequestException($"RPC POST {Endpoint} answered {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);
        }

        return await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The raw <c>result</c> of a response, or its error thrown as <see cref="RpcException"/>.</summary>
    internal static ReadOnlyMemory<byte> ResultOf(ReadOnlyMemory<byte> response)
    {
        RpcFrame frame;
        try
        {
            frame = RpcFrame.Parse(response);
        }
        catch (JsonException ex)
        {
            throw new RpcException(RpcErrorCodes.ParseError, "unmarshaling response: " + ex.Message, ex);
        }

        if (!frame.Error.IsEmpty)
        {
            throw ErrorOf(frame.Error);
        }

        return frame.Result;
    }

    internal static RpcException ErrorOf(ReadOnlyMemory<byte> error)
    {
        using var doc = JsonDocument.Parse(error);
        var e = doc.RootElement;
        var code = e.TryGetProperty("code", out var c) && c.TryGetInt32(out var ci) ? ci : 0;
        var message = e.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "";
        JsonElement? data = e.TryGetProperty("data", out var d) ? d.Clone() : null;
        JsonElement? meta = e.TryGetProperty("meta", out var mt) ? mt.Clone() : null;
        return new RpcException(code, message, data, meta);
    }

    internal static T Deserialize<T>(ReadOnlyMemory<byte> result) =>
        result.IsEmpty ? default! : JsonSerializer.Deserialize<T>(result.Span, ApiJson.Options)!;

    internal PooledBufferWriter EncodeRequest(long id, string method, object?[] args, Type[]? types)
    {
        var output = new PooledBufferWriter(256);
        using var writer = new Utf8JsonWriter(output, RpcWire.WriterOptions);
        RpcWire.WriteRequestStart(writer, RpcId.FromNumber(id), method);
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case null:
                    writer.WriteNullValue();
                    break;
                case NullReaderStream zero:
                    WriteReaderStream(writer, "null", zero.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    break;
                case HttpReaderStream { Started: false } remote:
                    // Lotus ReaderParamEncoder: an unread http reader travels as its URL; the callee fetches it.
                    WriteReaderStream(writer, "http", remote.Url.AbsoluteUri);
                    break;
                case Stream stream:
                    var pushId = Guid.NewGuid();
                    WriteReaderStream(writer, "push", pushId.ToString());
                    _ = ReaderPush.SendAsync(PushHttp, new Uri(PushBase, pushId.ToString()), stream, _pushLogger);
                    break;
                default:
                    JsonSerializer.Serialize(writer, args[i], types?[i] ?? args[i]!.GetType(), ApiJson.Options);
                    break;
            }
        }

        RpcWire.WriteRequestEnd(writer);
        writer.Flush();
        return output;
    }

    private static void WriteReaderStream(Utf8JsonWriter writer, string type, string info)
    {
        writer.WriteStartObject();
        writer.WriteString("Type"u8, type);
        writer.WriteString("Info"u8, info);
        writer.WriteEndObject();
    }

    public async ValueTask DisposeAsync()
    {
        if (_webSocket is not null)
        {
            await _webSocket.DisposeAsync().ConfigureAwait(false);
        }
    }
}
