using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using Polly;
using Polly.Retry;

namespace Kiln.Api.JsonRpc;

/// <summary>
/// The client's WebSocket: one receive loop matching responses to calls by id, channel values routed by
/// channel id, and on any connection loss every in-flight call failed with -1111111 and the socket redialled
/// with backoff (100 ms × 1.5 per attempt up to 5 s, plus jitter) through a Polly retry pipeline.
/// Calls made while disconnected fail at once with -1111111, as go-jsonrpc's do.
/// </summary>
internal sealed class WebSocketRpcTransport : IAsyncDisposable
{
    private const string ClosedMessage = "handler: websocket connection closed";
    private readonly RpcClient _client;
    private readonly Dictionary<long, Pending> _pending = [];
    private readonly Dictionary<ulong, Channel<ReadOnlyMemory<byte>>> _channels = [];
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _send = new(1, 1);
    private readonly CancellationTokenSource _dispose = new();
    private readonly ResiliencePipeline _reconnect;
    private Task<WebSocket>? _connecting;
    private WebSocket? _socket;

    public WebSocketRpcTransport(RpcClient client)
    {
        _client = client;
        var o = client.Options;
        _reconnect = new ResiliencePipelineBuilder { TimeProvider = o.TimeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not OperationCanceledException),
                MaxRetryAttempts = int.MaxValue,
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(Backoff(args.AttemptNumber, o.ReconnectMinDelay, o.ReconnectMaxDelay)),
            })
            .Build();
    }

    internal static TimeSpan Backoff(int attempt, TimeSpan min, TimeSpan max)
    {
        var ms = Math.Min(max.TotalMilliseconds, min.TotalMilliseconds * Math.Pow(1.5, Math.Min(attempt, 64)));
        return TimeSpan.FromMilliseconds(ms + (Random.Shared.NextDouble() * ms * 0.1));
    }

    public async Task<byte[]> CallAsync(long id, ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        var pending = new Pending(null);
        await SendCallAsync(id, pending, request, cancellationToken).ConfigureAwait(false);
        try
        {
            return await pending.Response.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _ = CancelRemoteAsync(id);
            throw;
        }
        finally
        {
            Forget(id);
        }
    }

    public async Task<Subscription> SubscribeAsync(long id, ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        var values = Channel.CreateUnbounded<ReadOnlyMemory<byte>>(new UnboundedChannelOptions { SingleWriter = true });
        var pending = new Pending(values);
        await SendCallAsync(id, pending, request, cancellationToken).ConfigureAwait(false);
        try
        {
            RpcClient.ResultOf(await pending.Response.Task.WaitAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            _ = CancelRemoteAsync(id);
            throw;
        }
        finally
        {
            Forget(id);
        }

        return new Subscription(this, id, values);
    }

    private async Task SendCallAsync(long id, Pending pending, ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        var socket = await ConnectedAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            _pending[id] = pending;
        }

        try
        {
            await SendAsync(socket, request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
        {
            Forget(id);
            throw new RpcException(RpcErrorCodes.ConnectionClosed, "sendRequest: " + ex.Message, ex);
        }
    }

    private async Task<WebSocket> ConnectedAsync(CancellationToken cancellationToken)
    {
        Task<WebSocket> connecting;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_dispose.IsCancellationRequested, this);
            if (_socket is { State: WebSocketState.Open } open)
            {
                return open;
            }

            if (_connecting is { IsCompleted: false } busy)
            {
                // A reconnect is under way: like go-jsonrpc, do not queue the call behind it.
                throw new RpcException(RpcErrorCodes.ConnectionClosed, ClosedMessage);
            }

            connecting = _connecting = ConnectFirstAsync();
        }

        return await connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The first dial is not retried: a client that cannot reach the server fails its first call.</summary>
    private async Task<WebSocket> ConnectFirstAsync()
    {
        var socket = await DialAsync(_dispose.Token).ConfigureAwait(false);
        lock (_lock)
        {
            _socket = socket;
        }

        _ = ReceiveLoopAsync(socket);
        return socket;
    }

    private async Task<WebSocket> DialAsync(CancellationToken cancellationToken)
    {
        var o = _client.Options;
        if (o.WebSocketFactory is { } factory)
        {
            return await factory(_client.Endpoint, cancellationToken).ConfigureAwait(false);
        }

        var ws = new ClientWebSocket();
        ws.Options.KeepAliveInterval = o.PingInterval;
        ws.Options.KeepAliveTimeout = o.ReadTimeout;
        if (o.Token is { Length: > 0 } token)
        {
            ws.Options.SetRequestHeader("Authorization", "Bearer " + token);
        }

        try
        {
            await ws.ConnectAsync(_client.Endpoint, cancellationToken).ConfigureAwait(false);
            return ws;
        }
        catch
        {
            ws.Dispose();
            throw;
        }
    }

    private async Task ReceiveLoopAsync(WebSocket socket)
    {
        while (true)
        {
            await ReceiveAsync(socket).ConfigureAwait(false);
            FailAll();
            if (_dispose.IsCancellationRequested)
            {
                return;
            }

            var reconnect = new TaskCompletionSource<WebSocket>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_lock)
            {
                _socket = null;
                _connecting = reconnect.Task;
            }

            socket.Dispose();
            try
            {
                socket = await _reconnect.ExecuteAsync(async ct => await DialAsync(ct).ConfigureAwait(false), _dispose.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                reconnect.TrySetCanceled();
                return;
            }

            lock (_lock)
            {
                _socket = socket;
            }

            reconnect.TrySetResult(socket);
        }
    }

    private async Task ReceiveAsync(WebSocket socket)
    {
        using var buffer = new PooledBufferWriter(4096);
        try
        {
            while (true)
            {
                buffer.Clear();
                ValueWebSocketReceiveResult r;
                do
                {
                    r = await socket.ReceiveAsync(buffer.GetMemory(4096), _dispose.Token).ConfigureAwait(false);
                    if (r.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    buffer.Advance(r.Count);
                }
                while (!r.EndOfMessage);

                Dispatch(buffer.WrittenMemory.ToArray());
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // Connection lost (or the client is being disposed).
        }
    }

    private void Dispatch(byte[] message)
    {
        RpcFrame frame;
        try
        {
            frame = RpcFrame.Parse(message);
        }
        catch (JsonException)
        {
            return;
        }

        switch (frame.Method)
        {
            case null or "":
                if (!frame.Id.IsNumber)
                {
                    return;
                }

                Pending? pending;
                lock (_lock)
                {
                    _pending.Remove((long)frame.Id.Number, out pending);
                    if (pending?.Values is { } values && frame.Error.IsEmpty && TryReadChannelId(frame.Result.Span, out var channelId))
                    {
                        // Registered here, before the next frame is read, so no value can overtake it.
                        _channels[channelId] = values;
                    }
                }

                pending?.Response.TrySetResult(message);
                return;
            case "xrpc.ch.val":
            case "xrpc.ch.close":
                OnChannelFrame(frame.Method, frame.Params);
                return;
            default:
                return; // reverse calls are not supported
        }
    }

    private void OnChannelFrame(string method, ReadOnlyMemory<byte> parameters)
    {
        var reader = new Utf8JsonReader(parameters.Span);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray || !reader.Read() || !reader.TryGetUInt64(out var channelId))
            {
                return;
            }

            Channel<ReadOnlyMemory<byte>>? channel;
            lock (_lock)
            {
                if (method == "xrpc.ch.close")
                {
                    _channels.Remove(channelId, out channel);
                    channel?.Writer.TryComplete();
                    return;
                }

                _channels.TryGetValue(channelId, out channel);
            }

            if (channel is not null && reader.Read())
            {
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                channel.Writer.TryWrite(parameters[start..(int)reader.BytesConsumed]);
            }
        }
        catch (JsonException)
        {
            // A malformed channel frame: dropped.
        }
    }

    private static bool TryReadChannelId(ReadOnlySpan<byte> result, out ulong channelId)
    {
        channelId = 0;
        var reader = new Utf8JsonReader(result);
        return reader.Read() && reader.TokenType == JsonTokenType.Number && reader.TryGetUInt64(out channelId);
    }

    private void FailAll()
    {
        List<Pending> pending;
        List<Channel<ReadOnlyMemory<byte>>> channels;
        lock (_lock)
        {
            pending = [.. _pending.Values];
            channels = [.. _channels.Values];
            _pending.Clear();
            _channels.Clear();
        }

        foreach (var p in pending)
        {
            p.Response.TrySetException(new RpcException(RpcErrorCodes.ConnectionClosed, ClosedMessage));
        }

        foreach (var c in channels)
        {
            c.Writer.TryComplete(new RpcException(RpcErrorCodes.ConnectionClosed, ClosedMessage));
        }
    }

    private void Forget(long id)
    {
        lock (_lock)
        {
            _pending.Remove(id);
        }
    }

    private async Task CancelRemoteAsync(long id)
    {
        WebSocket? socket;
        lock (_lock)
        {
            socket = _socket;
        }

        if (socket is null)
        {
            return;
        }

        using var output = new PooledBufferWriter(96);
        using (var writer = new Utf8JsonWriter(output, RpcWire.WriterOptions))
        {
            RpcWire.WriteRequestStart(writer, RpcId.None, "xrpc.cancel");
            writer.WriteNumberValue(id);
            RpcWire.WriteRequestEnd(writer);
        }

        try
        {
            await SendAsync(socket, output.WrittenMemory, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // Nothing left to cancel on a dead connection.
        }
    }

    private async Task SendAsync(WebSocket socket, ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        await _send.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await socket.SendAsync(frame, WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _send.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        WebSocket? socket;
        lock (_lock)
        {
            if (_dispose.IsCancellationRequested)
            {
                return;
            }

            socket = _socket;
            _socket = null;
        }

        await _dispose.CancelAsync().ConfigureAwait(false);
        if (socket is not null)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
            {
                // Closing a broken socket.
            }

            socket.Dispose();
        }

        FailAll();
    }

    private sealed class Pending(Channel<ReadOnlyMemory<byte>>? values)
    {
        public TaskCompletionSource<byte[]> Response { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Channel<ReadOnlyMemory<byte>>? Values { get; } = values;
    }

    /// <summary>An open channel; disposing it early sends <c>xrpc.cancel</c> for the original call.</summary>
    internal sealed class Subscription(WebSocketRpcTransport owner, long id, Channel<ReadOnlyMemory<byte>> values) : IAsyncDisposable
    {
        public ChannelReader<ReadOnlyMemory<byte>> Values => values.Reader;

        public async ValueTask DisposeAsync()
        {
            if (!values.Reader.Completion.IsCompleted)
            {
                await owner.CancelRemoteAsync(id).ConfigureAwait(false);
            }
        }
    }
}
