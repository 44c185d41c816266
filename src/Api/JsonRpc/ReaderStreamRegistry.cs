using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Kiln.Api.JsonRpc;

/// <summary>
/// Server half of lotus's ReaderStream (lotus-protocol.md §1.7): decodes <c>{"Type","Info"}</c> params
/// into streams and serves <c>/rpc/streams/v0/push/{uuid}</c>, where a client parks a HEAD until the
/// method starts reading and then POSTs the bytes.
/// </summary>
internal sealed class ReaderStreamRegistry(RpcServerOptions options)
{
    private readonly RpcServerOptions _options = options;
    private static readonly HttpClient DefaultHttp = new();
    private readonly ConcurrentDictionary<Guid, PushSlot> _slots = new();

    /// <summary>
    /// Streams whose method already closed them, kept for one <see cref="RpcServerOptions.StreamTimeout"/>
    /// so a client's HEAD or POST that arrives late is answered at once instead of parking a new slot.
    /// </summary>
    private readonly ConcurrentDictionary<Guid, (PushSlot Slot, long At)> _finished = new();

    internal int PendingCount => _slots.Count;

    /// <summary>Decodes the param at the reader's current token.</summary>
    public Stream Decode(ref Utf8JsonReader reader, CancellationToken cancellationToken)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return new NullReaderStream(0);
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("unmarshaling reader id: cannot unmarshal " + RpcFrame.JsonKind(reader.TokenType) + " into Go value of type rpcenc.ReaderStream");
        }

        string? type = null, info = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString();
            reader.Read();
            if (string.Equals(name, "Type", StringComparison.OrdinalIgnoreCase))
            {
                type = reader.TokenType == JsonTokenType.Null ? null : reader.GetString();
            }
            else if (string.Equals(name, "Info", StringComparison.OrdinalIgnoreCase))
            {
                info = reader.TokenType == JsonTokenType.Null ? null : reader.GetString();
            }
            else
            {
                reader.Skip();
            }
        }

        switch (type)
        {
            case "null":
                if (!long.TryParse(info, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                {
                    throw new FormatException($"parsing null byte count: invalid syntax: \"{info}\"");
                }

                return new NullReaderStream(n);
            case "http":
                if (!Uri.TryCreate(info, UriKind.Absolute, out var url))
                {
                    throw new FormatException($"parsing http reader url: \"{info}\"");
                }

                return new HttpReaderStream(_options.HttpReaderClient ?? DefaultHttp, url);
            case "push":
                if (!Guid.TryParse(info, out var id))
                {
                    throw new FormatException($"parsing reader UUID: \"{info}\"");
                }

                var slot = _slots.GetOrAdd(id, static _ => new PushSlot());
                slot.Claimed.TrySetResult();
                return new PushReaderStream(this, id, slot);
            default:
                throw new FormatException($"unknown reader stream type '{type}'");
        }
    }

    /// <summary>The push endpoint: HEAD parks until the method reads, POST hands over the body.</summary>
    public async Task HandlePushAsync(HttpContext context, string idText)
    {
        if (!Guid.TryParse(idText, out var id))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        var isHead = HttpMethods.IsHead(context.Request.Method);
        if (!isHead && !HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }

        PurgeFinished();
        var slot = _finished.TryGetValue(id, out var done) ? done.Slot : _slots.GetOrAdd(id, static _ => new PushSlot());
        var aborted = context.RequestAborted;
        try
        {
            await slot.Claimed.Task.WaitAsync(_options.StreamTimeout, _options.TimeProvider, aborted).ConfigureAwait(false);
            if (isHead)
            {
                var reading = await slot.ReadStarted.Task.WaitAsync(aborted).ConfigureAwait(false);
                context.Response.StatusCode = reading ? StatusCodes.Status200OK : StatusCodes.Status204NoContent;
                return;
            }

            if (!slot.Body.TrySetResult(context.Request.Body))
            {
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                return;
            }

            await slot.Consumed.Task.WaitAsync(aborted).ConfigureAwait(false);
            context.Response.StatusCode = StatusCodes.Status200OK;
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            if (!slot.Claimed.Task.IsCompleted)
            {
                _slots.TryRemove(new KeyValuePair<Guid, PushSlot>(id, slot));
            }

            if (!aborted.IsCancellationRequested)
            {
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            }
        }
    }

    private void Finish(Guid id, PushSlot slot)
    {
        _finished[id] = (slot, _options.TimeProvider.GetTimestamp());
        _slots.TryRemove(new KeyValuePair<Guid, PushSlot>(id, slot));
    }

    private void PurgeFinished()
    {
        foreach (var (id, entry) in _finished)
        {
            if (_options.TimeProvider.GetElapsedTime(entry.At) > _options.StreamTimeout)
            {
                _finished.TryRemove(new KeyValuePair<Guid, (PushSlot, long)>(id, entry));
            }
        }
    }

    private sealed class PushSlot
    {
        public TaskCompletionSource Claimed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>true once the method reads, false if it closed the reader unread.</summary>
        public TaskCompletionSource<bool> ReadStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<Stream> Body { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Consumed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class PushReaderStream(ReaderStreamRegistry owner, Guid id, PushSlot slot) : ReadOnlyStream
    {
        private Stream? _body;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            ObjectDisposedException.ThrowIf(slot.Consumed.Task.IsCompleted && _body is null, this);
            if (_body is null)
            {
                slot.ReadStarted.TrySetResult(true);
                try
                {
                    _body = await slot.Body.Task.WaitAsync(owner._options.StreamTimeout, owner._options.TimeProvider, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException ex)
                {
                    throw new IOException($"reader stream {id}: no data was pushed within {owner._options.StreamTimeout}", ex);
                }
            }

            var n = await _body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (n == 0 && buffer.Length > 0)
            {
                slot.Consumed.TrySetResult();
            }

            return n;
        }

        protected override void Dispose(bool disposing)
        {
            slot.ReadStarted.TrySetResult(false);
            slot.Claimed.TrySetResult();
            slot.Body.TrySetCanceled();
            slot.Consumed.TrySetResult();
            owner.Finish(id, slot);
            base.Dispose(disposing);
        }
    }

    private sealed class HttpReaderStream(HttpClient http, Uri url) : ReadOnlyStream
    {
        private HttpResponseMessage? _response;
        private Stream? _body;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_body is null)
            {
                _response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                _response.EnsureSuccessStatusCode();
                _body = await _response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            }

            return await _body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }

        protected override void Dispose(bool disposing)
        {
            _body?.Dispose();
            _response?.Dispose();
            base.Dispose(disposing);
        }
    }
}
