using System.Buffers;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using Kiln.Api.Types;

namespace Kiln.Api.JsonRpc;

/// <summary>
/// One server-side WebSocket connection (lotus-protocol.md §1.5): text frames in both directions,
/// calls run concurrently, <c>xrpc.cancel</c> cancels a running call, channel results are streamed as
/// <c>xrpc.ch.val</c> / <c>xrpc.ch.close</c> notifications. Notifications get no frame back at all.
/// </summary>
internal sealed class RpcWebSocketSession(RpcServer server, WebSocket socket, IReadOnlyList<string> permissions)
{
    private readonly ConcurrentDictionary<RpcId, CancellationTokenSource> _handling = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _closed = new();
    private long _channelCounter;

    public async Task RunAsync(CancellationToken aborted)
    {
        using var link = aborted.Register(static s => ((CancellationTokenSource)s!).Cancel(), _closed);
        using var buffer = new PooledBufferWriter(4096);
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
                    if (buffer.Length > server.Options.MaxRequestSize)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, null, CancellationToken.None).ConfigureAwait(false);
                        return;
                    }
                }
                while (!r.EndOfMessage);

                HandleFrame(buffer.WrittenSpan);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            RpcServer.Log.WebSocketEnded(server.Logger, ex);
        }
        finally
        {
            await _closed.CancelAsync().ConfigureAwait(false);
        }
    }

    private void HandleFrame(ReadOnlySpan<byte> message)
    {
        // The frame outlives the receive buffer when its call runs on: give it its own copy.
        var copy = ArrayPool<byte>.Shared.Rent(message.Length);
        message.CopyTo(copy);
        var json = copy.AsMemory(0, message.Length);
        RpcFrame frame;
        try
        {
            frame = RpcFrame.Parse(json);
        }
        catch (JsonException)
        {
            ArrayPool<byte>.Shared.Return(copy);
            return; // go-jsonrpc logs an undecodable frame and carries on
        }

        switch (frame.Method)
        {
            case null or "":
            case "xrpc.ch.val":
            case "xrpc.ch.close":
                ArrayPool<byte>.Shared.Return(copy); // responses and channel traffic for a client we are not
                return;
            case "xrpc.cancel":
                Cancel(frame.Params.Span);
                ArrayPool<byte>.Shared.Return(copy);
                return;
        }

        var cts = CancellationTokenSource.CreateLinkedTokenSource(_closed.Token);
        if (!frame.Id.IsNone && frame.IdError is null)
        {
            _handling[frame.Id] = cts;
        }

        _ = HandleCallAsync(frame, cts, copy);
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
        catch (Exception ex) when (ex is JsonException or ObjectDisposedException)
        {
            // A malformed cancel, or one for a call that just finished.
        }
    }

    private async Task HandleCallAsync(RpcFrame frame, CancellationTokenSource cts, byte[] rented)
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
            ArrayPool<byte>.Shared.Return(rented);
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

        await _sendLock.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            // Once the session is over (peer gone, request aborted, host stopping) nothing more is sent:
            // the peer sees the connection drop, as with go-jsonrpc, not answers to cancelled calls.
            if (socket.State == WebSocketState.Open && !_closed.IsCancellationRequested)
            {
                await socket.SendAsync(output.WrittenMemory, WebSocketMessageType.Text, true, _closed.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            RpcServer.Log.WebSocketEnded(server.Logger, ex);
        }
        finally
        {
            _sendLock.Release();
        }
    }
}
