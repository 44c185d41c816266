using System.Buffers;
using System.Collections.Frozen;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Kiln.Api.Types;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Api.JsonRpc;

/// <summary>
/// A go-jsonrpc compatible server: a frozen table of <c>Namespace.Method</c> entries built once from
/// interfaces, and the request semantics of go-jsonrpc handler.go <c>handleReader</c> and <c>handle</c> (ids, notifications, batches,
/// positional params, Go's error codes and messages). Serve it with
/// <see cref="RpcEndpointRouteBuilderExtensions.MapLotusRpc"/>.
/// </summary>
/// <remarks>
/// Errors: a method that throws <see cref="RpcException"/> answers with its code, message and data; any
/// other exception is an application error, code 1 with the exception's message at HTTP 200 (in .NET an
/// exception is how a method returns an error; go-jsonrpc's code 0 "fatal error" is reserved for Go
/// panics and is not produced). A cancelled call answers code 1 <c>context canceled</c>.
/// </remarks>
public sealed partial class RpcServer
{
    private readonly FrozenDictionary<string, RpcServerMethod> _methods;
    private readonly FrozenDictionary<string, RpcServerMethod>.AlternateLookup<ReadOnlySpan<char>> _methodsBySpan;
    private readonly ILogger _logger;
    private int _openWebSocketSessions;

    internal RpcServer(IEnumerable<RpcServerMethod> methods, RpcServerOptions options)
    {
        options.Validate();
        Options = options;
        _logger = options.LoggerFactory?.CreateLogger<RpcServer>() ?? NullLogger<RpcServer>.Instance;
        var table = new Dictionary<string, RpcServerMethod>(StringComparer.Ordinal);
        foreach (var m in methods)
        {
            if (!table.TryAdd(m.Name, m))
            {
                throw new ArgumentException($"RPC method {m.Name} is registered twice.");
            }

            if (m.Shape.Permission is null)
            {
                Log.MissingPermission(_logger, m.Name);
            }
        }

        _methods = table.ToFrozenDictionary(StringComparer.Ordinal);
        _methodsBySpan = _methods.GetAlternateLookup<ReadOnlySpan<char>>();
        Streams = new ReaderStreamRegistry(options, _logger);
    }

    /// <summary>A server for one handler; the namespace defaults to the interface's [RpcNamespace].</summary>
    public static RpcServer Create<TInterface>(TInterface handler, string? @namespace = null, RpcServerOptions? options = null)
        where TInterface : class =>
        new RpcServerBuilder().Register(handler, @namespace).Build(options);

    public RpcServerOptions Options { get; }

    /// <summary>Every served method name (<c>Filecoin.Version</c>, …).</summary>
    public IEnumerable<string> MethodNames => _methods.Keys;

    internal ReaderStreamRegistry Streams { get; }

    internal ILogger Logger => _logger;

    /// <summary>WebSocket sessions currently open.</summary>
    internal int OpenWebSocketSessions => Volatile.Read(ref _openWebSocketSessions);

    /// <summary>Raised after a WebSocket session opens or closes, with the sessions then open.</summary>
    internal event Action<int>? WebSocketSessionsChanged;

    internal void WebSocketSessionOpened()
    {
        var open = Interlocked.Increment(ref _openWebSocketSessions);
        WebSocketSessionsChanged?.Invoke(open);
    }

    internal void WebSocketSessionClosed()
    {
        var open = Interlocked.Decrement(ref _openWebSocketSessions);
        WebSocketSessionsChanged?.Invoke(open);
    }

    /// <summary>
    /// Answers one HTTP-mode body without a network (go-jsonrpc <c>HandleRequest</c>): the response bytes
    /// are written to <paramref name="output"/>; returns the HTTP status the endpoint would send.
    /// </summary>
    public async ValueTask<int> HandleRequestAsync(ReadOnlyMemory<byte> body, IReadOnlyList<string> permissions, IBufferWriter<byte> output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(permissions);
        ArgumentNullException.ThrowIfNull(output);
        using var buffer = new PooledBufferWriter(512);
        var status = await ProcessHttpAsync(body, permissions, buffer, cancellationToken).ConfigureAwait(false);
        output.Write(buffer.WrittenSpan);
        return status;
    }

    /// <summary>
    /// HTTP mode (go-jsonrpc server.go <c>RPCServer.ServeHTTP</c> without an upgrade): one request or batch in <paramref name="body"/>, the response bytes
    /// appended to <paramref name="output"/>; returns the HTTP status.
    /// </summary>
    internal async ValueTask<int> ProcessHttpAsync(ReadOnlyMemory<byte> body, IReadOnlyList<string> permissions, PooledBufferWriter output, CancellationToken cancellationToken)
    {
        var writer = new Utf8JsonWriter(output, RpcWire.WriterOptions);
        var limit = Options.RequestSizeLimit(permissions);
        if (body.Length > limit)
        {
            return WriteRequestTooLarge(output, writer, limit);
        }

        body = Trim(body);
        if (body.Length == 0)
        {
            return WriteProtocolError(output, writer, RpcId.None, RpcErrorCodes.InvalidRequest, "Invalid request");
        }

        var span = body.Span;
        if (span[0] == (byte)'[' && span[^1] == (byte)']')
        {
            return await ProcessBatchAsync(body, permissions, output, writer, cancellationToken).ConfigureAwait(false);
        }

        RpcFrame frame;
        try
        {
            frame = RpcFrame.Parse(body);
        }
        catch (JsonException)
        {
            return WriteProtocolError(output, writer, RpcId.None, RpcErrorCodes.ParseError, "Parse error");
        }

        if (frame.IdError is not null)
        {
            return WriteProtocolError(output, writer, RpcId.None, RpcErrorCodes.ParseError, "failed to parse ID: " + frame.IdError);
        }

        var result = await ExecuteAsync(frame, permissions, channelsAllowed: false, cancellationToken).ConfigureAwait(false);
        if (frame.Id.IsNone && !result.IsProtocolError)
        {
            return 200;
        }

        RpcWire.WriteResponse(output, writer, frame.Id, result);
        return result.HttpStatus;
    }

    private async ValueTask<int> ProcessBatchAsync(ReadOnlyMemory<byte> body, IReadOnlyList<string> permissions, PooledBufferWriter output, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var frames = new List<RpcFrame>();
        try
        {
            var reader = new Utf8JsonReader(body.Span, new JsonReaderOptions { AllowMultipleValues = true });
            reader.Read();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                frames.Add(RpcFrame.Read(ref reader, body));
            }

            if (reader.TokenType != JsonTokenType.EndArray)
            {
                throw new JsonException("invalid batch");
            }
        }
        catch (JsonException)
        {
            return WriteProtocolError(output, writer, RpcId.None, RpcErrorCodes.ParseError, "Parse error");
        }

        if (frames.Count == 0)
        {
            return WriteProtocolError(output, writer, RpcId.None, RpcErrorCodes.InvalidRequest, "Invalid request");
        }

        // The status is 200 once "[" is out, whatever the elements say (go-jsonrpc writes "[" first).
        // Unlike go-jsonrpc, notifications leave no stray "," and a bad id does not cut the array short.
        output.WriteByte((byte)'[');
        var first = true;
        foreach (var frame in frames)
        {
            RpcCallResult result;
            if (frame.IdError is not null)
            {
                result = RpcCallResult.Protocol(RpcErrorCodes.ParseError, "failed to parse ID: " + frame.IdError);
            }
            else
            {
                result = await ExecuteAsync(frame, permissions, channelsAllowed: false, cancellationToken).ConfigureAwait(false);
                if (frame.Id.IsNone && !result.IsProtocolError)
                {
                    continue;
                }
            }

            if (!first)
            {
                output.WriteByte((byte)',');
            }

            first = false;
            RpcWire.WriteResponse(output, writer, frame.Id, result);
        }

        output.WriteByte((byte)']');
        return 200;
    }

    /// <summary>go-jsonrpc's answer to a body over the limit (-32700 "request bigger than maximum N allowed", HTTP 500).</summary>
    internal int WriteRequestTooLarge(PooledBufferWriter output, Utf8JsonWriter writer, long limit) =>
        WriteProtocolError(output, writer, RpcId.None, RpcErrorCodes.ParseError, $"request bigger than maximum {limit} allowed");

    private int WriteProtocolError(PooledBufferWriter output, Utf8JsonWriter writer, RpcId id, int code, string message)
    {
        Log.ProtocolError(_logger, code, message);
        RpcWire.WriteError(output, writer, id, code, message);
        return code == RpcErrorCodes.InvalidRequest ? 400 : 500;
    }

    private static ReadOnlyMemory<byte> Trim(ReadOnlyMemory<byte> body)
    {
        var span = body.Span;
        var start = 0;
        var end = span.Length;
        while (start < end && IsSpace(span[start]))
        {
            start++;
        }

        while (end > start && IsSpace(span[end - 1]))
        {
            end--;
        }

        return body[start..end];

        // bytes.TrimSpace: ASCII white space (and Unicode spaces, which cannot start valid JSON anyway).
        static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'\v' or (byte)'\f';
    }

    internal RpcServerMethod? Find(string? method)
    {
        if (method is null)
        {
            return null;
        }

        return _methodsBySpan.TryGetValue(method.AsSpan(), out var m) ? m : null;
    }

    /// <summary>
    /// Runs one call: method lookup, permission, params (count, then types), invocation. For channel
    /// methods (only when <paramref name="channelsAllowed"/>) the result value is the IAsyncEnumerable.
    /// </summary>
    /// <remarks>
    /// The permission comes from the method table and is checked before a single parameter is decoded, so a refused
    /// call allocates nothing and registers no reader stream. go-jsonrpc decodes first and lets Lotus's permissioned
    /// proxy refuse the call afterwards; the only visible difference is that a caller without the permission now gets
    /// the permission error even when its params are also malformed.
    /// </remarks>
    internal async ValueTask<RpcCallResult> ExecuteAsync(RpcFrame frame, IReadOnlyList<string> permissions, bool channelsAllowed, CancellationToken cancellationToken)
    {
        if (frame.MethodError is not null)
        {
            return RpcCallResult.Protocol(RpcErrorCodes.ParseError, "Parse error: " + frame.MethodError);
        }

        var method = Find(frame.Method);
        if (method is null)
        {
            return RpcCallResult.Protocol(RpcErrorCodes.MethodNotFound, $"method '{frame.Method}' not found");
        }

        if (method.Shape.Kind == RpcResultKind.Channel && !channelsAllowed)
        {
            return RpcCallResult.Protocol(RpcErrorCodes.MethodNotFound, $"method '{method.Name}' not supported in this mode (no out channel support)");
        }

        if (!Contains(permissions, method.Permission))
        {
            return RpcCallResult.Application(RpcErrorCodes.Application, $"missing permission to invoke '{method.Shape.ShortName}' (need '{method.Permission}')");
        }

        var n = method.Shape.ParameterTypes.Length;
        var argc = n + (method.Shape.HasCancellationToken ? 1 : 0);
        var args = argc == 0 ? [] : ArrayPool<object?>.Shared.Rent(argc);
        var succeeded = false;
        try
        {
            var error = DecodeParams(method, frame.Params, args, cancellationToken);
            if (error is { } e)
            {
                return e;
            }

            if (method.Shape.HasCancellationToken)
            {
                args[n] = cancellationToken;
            }

            try
            {
                var returned = method.Invoker.Invoke(method.Target, args.AsSpan(0, argc))
                    ?? throw new InvalidOperationException($"{method.Name} returned null instead of a task");
                if (method.Enumerate is not null)
                {
                    return RpcCallResult.Success(method, returned);
                }

                var value = await method.AwaitResult!(returned).ConfigureAwait(false);
                succeeded = true;
                return RpcCallResult.Success(method, value);
            }
            catch (Exception ex)
            {
                return FromException(method, ex, cancellationToken);
            }
        }
        finally
        {
            if (argc > 0)
            {
                if (method.HasStreamParams && method.Enumerate is null)
                {
                    // RpcReaderOwnership: readers a successful method took over are its own to close.
                    DisposeStreams(method, args, keepTakenOver: succeeded);
                }

                args.AsSpan(0, argc).Clear();
                ArrayPool<object?>.Shared.Return(args);
            }
        }
    }

    private RpcCallResult FromException(RpcServerMethod method, Exception ex, CancellationToken cancellationToken)
    {
        if (ex is TargetInvocationException { InnerException: { } inner })
        {
            ex = inner;
        }

        if (ex is RpcException rpc)
        {
            return RpcCallResult.Application(rpc.Code, rpc.Message, rpc.ErrorData, rpc.Meta);
        }

        if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            return RpcCallResult.Application(RpcErrorCodes.Application, "context canceled");
        }

        Log.MethodFailed(_logger, method.Name, ex);
        return RpcCallResult.Application(RpcErrorCodes.Application, ex.Message);
    }

    private static bool Contains(IReadOnlyList<string> permissions, string permission)
    {
        for (var i = 0; i < permissions.Count; i++)
        {
            if (string.Equals(permissions[i], permission, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    internal static void DisposeStreams(RpcServerMethod method, object?[] args, bool keepTakenOver = false)
    {
        for (var i = 0; i < method.IsStreamParam.Length; i++)
        {
            if (method.IsStreamParam[i] && args[i] is Stream s && !(keepTakenOver && RpcReaderOwnership.IsTakenOver(s)))
            {
                s.Dispose();
            }
        }
    }

    private RpcCallResult? DecodeParams(RpcServerMethod method, ReadOnlyMemory<byte> raw, object?[] args, CancellationToken cancellationToken)
    {
        var types = method.Shape.ParameterTypes;
        var count = 0;
        var span = raw.Span;
        if (!span.IsEmpty && !span.SequenceEqual("null"u8))
        {
            try
            {
                var counter = new Utf8JsonReader(span);
                counter.Read();
                if (counter.TokenType != JsonTokenType.StartArray)
                {
                    return RpcCallResult.Protocol(RpcErrorCodes.ParseError, "unmarshaling param array: json: cannot unmarshal " + RpcFrame.JsonKind(counter.TokenType) + " into Go value of type []jsonrpc.param");
                }

                while (counter.Read() && counter.TokenType != JsonTokenType.EndArray)
                {
                    counter.Skip();
                    count++;
                }
            }
            catch (JsonException ex)
            {
                return RpcCallResult.Protocol(RpcErrorCodes.ParseError, "unmarshaling param array: " + ex.Message);
            }
        }

        if (count != types.Length)
        {
            return RpcCallResult.Protocol(RpcErrorCodes.InvalidParams, $"wrong param count (method '{method.Name}'): {count} != {types.Length}");
        }

        if (count == 0)
        {
            return null;
        }

        var reader = new Utf8JsonReader(span);
        reader.Read();
        for (var i = 0; i < types.Length; i++)
        {
            reader.Read();
            if (method.IsStreamParam[i])
            {
                try
                {
                    args[i] = Streams.Decode(ref reader, cancellationToken);
                }
                catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
                {
                    DisposeStreams(method, args);
                    return RpcCallResult.Protocol(RpcErrorCodes.ParseError, $"decoding params for '{method.Name}' (param: {i}; custom decoder): {ex.Message}");
                }

                continue;
            }

            if (reader.TokenType == JsonTokenType.Null)
            {
                args[i] = method.ParamDefaults[i];
                continue;
            }

            try
            {
                args[i] = JsonSerializer.Deserialize(ref reader, types[i], ApiJson.Options);
            }
            catch (Exception ex) when (ex is JsonException or NotSupportedException or FormatException or InvalidOperationException or ArgumentException or OverflowException)
            {
                DisposeStreams(method, args);
                reader.Skip();
                return RpcCallResult.Protocol(RpcErrorCodes.ParseError, $"unmarshaling params for '{method.Name}' (param: {RpcMethodShape.GoTypeName(types[i])}): {ex.Message}");
            }
        }

        return null;
    }

    internal static string Utf8(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);
}
