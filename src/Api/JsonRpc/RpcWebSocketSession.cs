using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using Kiln.Api.Types;

namespace Kiln.Api.JsonRpc;

/// <summary>
/// One server-side WebSocket connection (go-jsonrpc websocket.go <c>wsConn.handleFrame</c>): text frames in both directions,
/// calls run concurrently, <c>xrpc.cancel</c> cancels a running call, channel results are streamed as
/// <c>xrpc.ch.val</c> / <c>xrpc.ch.close</c> notifications. Notifications get no frame back at all.
/// </summary>
/// <remarks>
/// Bounds (RpcServerOptions): a message over the caller's <see cref="RpcServerOptions.RequestSizeLimit"/> closes the
/// session (1009); at most <see cref="RpcServerOptions.MaxCallsInFlightPerSession"/> calls holding at most
/// <see cref="RpcServerOptions.MaxInFlightBytesPerSession"/> bytes of frames run at once, and the session reads no
/// further frame until one ends (TCP backpressure on the client); a client that leaves more than
/// <see cref="RpcServerOptions.MaxQueuedSendBytesPerSession"/> bytes unread, or does not take a frame within
/// <see cref="RpcServerOptions.SendTimeout"/>, is disconnected. An undecodable frame is answered −32700 and the
/// session carries on.
/// </remarks>
internal sealed class RpcWebSocketSession(RpcServer server, WebSocket socket, IReadOnlyList<string> permissions)
{
    private readonly ConcurrentDictionary<RpcId, CancellationTokenSource> _handling = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _closed = new();
    private readonly RpcServerOptions _options = server.Options;
    private readonly Lock _gate = new();
    private int _callsInFlight;
    private long _bytesInFlight;
    private TaskCompletionSource? _capacityFreed;
    private long _queuedSendBytes;
    private int _disconnected;
    private long _channelCounter;

    public async Task RunAsync(CancellationToken aborted)
    {
        server.WebSocketSessionOpened();
        using var link = aborted.Register(static s => ((CancellationTokenSource)s!).Cancel(), _closed);
        using var buffer = new PooledBufferWriter(4096);
        var limit = _options.RequestSizeLimit(permissions);
        try
        {
            while (true)
            {
                buffer.Clear();
                ValueWebSocketReceiveResult r;
                do
                {
                    r = await socket.ReceiveAsync(buffer.GetMemory(4096), _closed.Token).ConfigureAwait(false);
                    if (r.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    buffer.Advance(r.Count);
                    if (buffer.Length > limit)
                    {
                        RpcServer.Log.WebSocketDisconnected(server.Logger, $"message bigger than maximum {limit} allowed");
                        await socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, null, CancellationToken.None).ConfigureAwait(false);
                        return;
                    }
                }
                while (!r.EndOfMessage);

                // The frame outlives the receive buffer when its call runs on: give it its own copy.
                var copy = PooledBufferWriter.Rent(buffer.Length);
                buffer.WrittenSpan.CopyTo(copy);
                await HandleFrameAsync(copy, buffer.Length).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            RpcServer.Log.WebSocketEnded(server.Logger, ex);
        }
        finally
        {
            await _closed.CancelAsync().ConfigureAwait(false);
            server.WebSocketSessionClosed();
        }
    }

    /// <summary>Dispatches one frame; <paramref name="copy"/> (from PooledBufferWriter.Rent) is this method's to return.</summary>
    private async ValueTask HandleFrameAsync(byte[] copy, int length)
    {
        RpcFrame frame;
        try
        {
            frame = RpcFrame.Parse(copy.AsMemory(0, length));
        }
        catch (JsonException ex)
        {
            PooledBufferWriter.Return(copy);
            // go-jsonrpc only logs an undecodable frame; answering it as HTTP mode does tells the client why.
            RpcServer.Log.ProtocolError(server.Logger, RpcErrorCodes.ParseError, ex.Message);
            await SendAsync(static (o, w, _) => RpcWire.WriteError(o, w, RpcId.None, RpcErrorCodes.ParseError, "Parse error"), 0).ConfigureAwait(false);
            return;
        }

        switch (frame.Method)
        {
            case null or "" when frame.MethodError is null:
            case "xrpc.ch.val":
            case "xrpc.ch.close":
                PooledBufferWriter.Return(copy); // responses and channel traffic for a client we are not
                return;
            case "xrpc.cancel":
                Cancel(frame.Params.Span);
                PooledBufferWriter.Return(copy);
                return;
        }

        try
        {
            await AdmitAsync(length, _closed.Token).ConfigureAwait(false);
        }
        catch
        {
            PooledBufferWriter.Return(copy);
            throw;
        }

        var cts = CancellationTokenSource.CreateLinkedTokenSource(_closed.Token);
        if (!frame.Id.IsNone && frame.IdError is null)
        {
            _handling[frame.Id] = cts;
        }

        _ = HandleCallAsync(frame, cts, copy, length);
    }

    /// <summary>Waits until the call fits within the session's in-flight bounds, then counts it in.</summary>
    private async ValueTask AdmitAsync(int bytes, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task freed;
            lock (_gate)
            {
                if (_callsInFlight == 0
                    || (_callsInFlight < _options.MaxCallsInFlightPerSession && _bytesInFlight + bytes <= _options.MaxInFlightBytesPerSession))
                {
                    _callsInFlight++;
                    _bytesInFlight += bytes;
                    return;
                }

                _capacityFreed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                freed = _capacityFreed.Task;
            }

            await freed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void Leave(int bytes)
    {
        TaskCompletionSource? freed;
        lock (_gate)
        {
            _callsInFlight--;
            _bytesInFlight -= bytes;
            freed = _capacityFreed;
            _capacityFreed = null;
        }

        freed?.TrySetResult();
    }

    /// <summary>Drops the connection (the client stopped reading): running calls are cancelled, nothing more is sent.</summary>
    private void Disconnect(string reason)
    {
        if (Interlocked.Exchange(ref _disconnected, 1) != 0)
        {
            return;
        }

        RpcServer.Log.WebSocketDisconnected(server.Logger, reason);
        try
        {
            _closed.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The session is already over.
        }

        socket.Abort();
    }

    private void Cancel(ReadOnlySpan<byte> parameters)
    {
        try
        {
            var reader = new Utf8JsonReader(parameters);
            if (reader.Read() && reader.TokenType == JsonTokenType.StartArray && reader.Read()
                && RpcId.TryRead(ref reader, out var id, out var error) && error is null
                && _handling.TryGetValue(id, out var cts))
            {
                cts.Cancel();
            }
        }
        catch (Exception ex) when (ex is JsonException or ObjectDisposedException or InvalidOperationException)
        {
            // A malformed cancel, or one for a call that just finished.
        }
    }

    private async Task HandleCallAsync(RpcFrame frame, CancellationTokenSource cts, byte[] rented, int length)
    {
        await Task.Yield();
        var keep = false;
        try
        {
            if (frame.IdError is not null)
            {
                await SendAsync(static (o, w, s) => RpcWire.WriteError(o, w, RpcId.None, RpcErrorCodes.ParseError, "failed to parse ID: " + s), frame.IdError).ConfigureAwait(false);
                return;
            }

            var result = await server.ExecuteAsync(frame, permissions, channelsAllowed: true, cts.Token).ConfigureAwait(false);
            if (frame.Id.IsNone)
            {
                return;
            }

            if (!result.IsError && result.Method?.Enumerate is { } enumerate)
            {
                keep = true;
                _ = PumpChannelAsync(frame.Id, result.Method, enumerate(result.Value!, cts.Token), cts);
                return;
            }

            await SendAsync(static (o, w, s) => RpcWire.WriteResponse(o, w, s.Id, s.result), (frame.Id, result)).ConfigureAwait(false);
        }
        finally
        {
            PooledBufferWriter.Return(rented);
            Leave(length);
            if (!keep)
            {
                Done(frame.Id, cts);
            }
        }
    }

    private async Task PumpChannelAsync(RpcId id, RpcServerMethod method, IAsyncEnumerable<object?> values, CancellationTokenSource cts)
    {
        var channelId = (ulong)Interlocked.Increment(ref _channelCounter);
        try
        {
            await SendAsync(static (o, w, s) => RpcWire.WriteChannelResponse(o, w, s.id, s.channelId), (id, channelId)).ConfigureAwait(false);
            await foreach (var value in values.ConfigureAwait(false))
            {
                await SendAsync(
                    static (o, w, s) =>
                    {
                        RpcWire.WriteRequestStart(w, RpcId.None, "xrpc.ch.val");
                        w.WriteNumberValue(s.channelId);
                        JsonSerializer.Serialize(w, s.value, s.type, ApiJson.Options);
                        RpcWire.WriteRequestEnd(w);
                    },
                    (channelId, value, type: method.Shape.ResultType!)).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException || cts.IsCancellationRequested)
        {
            // Cancelled by xrpc.cancel or by the connection closing: close the channel.
        }
        catch (Exception ex)
        {
            RpcServer.Log.MethodFailed(server.Logger, method.Name, ex);
        }
        finally
        {
            await SendAsync(
                static (o, w, s) =>
                {
                    RpcWire.WriteRequestStart(w, RpcId.None, "xrpc.ch.close");
                    w.WriteNumberValue(s);
                    RpcWire.WriteRequestEnd(w);
                },
                channelId).ConfigureAwait(false);
            Done(id, cts);
        }
    }

    private void Done(RpcId id, CancellationTokenSource cts)
    {
        if (!id.IsNone)
        {
            _handling.TryRemove(new KeyValuePair<RpcId, CancellationTokenSource>(id, cts));
        }

        cts.Dispose();
    }

    private async ValueTask SendAsync<TState>(Action<PooledBufferWriter, Utf8JsonWriter, TState> write, TState state)
    {
        using var output = new PooledBufferWriter(512);
        using (var writer = new Utf8JsonWriter(output, RpcWire.WriterOptions))
        {
            write(output, writer, state);
            writer.Flush();
        }

        var size = output.Length;
        var queued = Interlocked.Add(ref _queuedSendBytes, size);
        try
        {
            if (queued > _options.MaxQueuedSendBytesPerSession && queued != size)
            {
                Disconnect($"{queued} bytes queued for a client that does not read them (limit {_options.MaxQueuedSendBytesPerSession})");
                return;
            }

            await _sendLock.WaitAsync(_closed.Token).ConfigureAwait(false);
            try
            {
                // Once the session is over (peer gone, request aborted, host stopping) nothing more is sent:
                // the peer sees the connection drop, as with go-jsonrpc, not answers to cancelled calls.
                if (socket.State == WebSocketState.Open && !_closed.IsCancellationRequested)
                {
                    var sending = socket.SendAsync(output.WrittenMemory, WebSocketMessageType.Text, true, _closed.Token);
                    if (!sending.IsCompletedSuccessfully)
                    {
                        await SendSlowAsync(sending.AsTask()).ConfigureAwait(false);
                    }
                }
            }
            finally
            {
                _sendLock.Release();
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            RpcServer.Log.WebSocketEnded(server.Logger, ex);
        }
        finally
        {
            Interlocked.Add(ref _queuedSendBytes, -size);
        }
    }

    /// <summary>A send the transport did not take at once: the client gets <see cref="RpcServerOptions.SendTimeout"/> to read it.</summary>
    private async Task SendSlowAsync(Task sending)
    {
        try
        {
            await sending.WaitAsync(_options.SendTimeout, _options.TimeProvider).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Disconnect($"a frame was not taken within {_options.SendTimeout}");
            await sending.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }
}
