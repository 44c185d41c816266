using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Kiln.Api.JsonRpc;

/// <summary>
/// Server half of Lotus's reader params (lib/rpcenc/reader.go ReaderParamDecoder): decodes <c>{"Type","Info"}</c>
/// into streams and serves <c>/rpc/streams/v0/push/{uuid}</c>, where a client parks a HEAD until the method starts
/// reading (200, then it POSTs the bytes) or closes the reader unread (204).
/// </summary>
/// <remarks>
/// A push slot lives from the first of (param decoded, HEAD/POST arrived) until its reader is closed. Its bounds:
/// a client waits <see cref="RpcServerOptions.StreamTimeout"/> for a method to claim it; a claimed reader that is
/// not read within <see cref="RpcServerOptions.ReaderIdleTimeout"/> expires; at most
/// <see cref="RpcServerOptions.MaxPendingReaders"/> are pending at once, and at most four times as many closed ones
/// are remembered for late pushes. Only a caller allowed to invoke the method ever gets its reader param decoded
/// (the server checks the permission first), so an anonymous caller can claim no slot. The POST body has no size limit and is
/// read straight from the request by the method, never buffered.
/// </remarks>
internal sealed class ReaderStreamRegistry(RpcServerOptions options, ILogger logger)
{
    private readonly RpcServerOptions _options = options;
    private readonly ILogger _logger = logger;
    private readonly ConcurrentDictionary<Guid, PushSlot> _slots = new();

    /// <summary>
    /// Streams already closed (or expired), kept for one <see cref="RpcServerOptions.StreamTimeout"/> so a client's
    /// HEAD or POST that arrives late is answered at once instead of parking a new slot.
    /// </summary>
    private readonly ConcurrentDictionary<Guid, (PushSlot Slot, long At)> _finished = new();

    /// <summary>The order <see cref="_finished"/> was filled in, oldest first, so purging never scans the whole map.</summary>
    private readonly ConcurrentQueue<(Guid Id, long At)> _finishedOrder = new();

    /// <summary>Push slots not yet closed.</summary>
    internal int PendingCount => _slots.Count;

    /// <summary>Closed streams remembered for late pushes.</summary>
    internal int FinishedCount => _finished.Count;

    /// <summary>Most closed streams remembered at once (the oldest are forgotten first): 4 × <see cref="RpcServerOptions.MaxPendingReaders"/>.</summary>
    private int MaxFinished => _options.MaxPendingReaders * 4;

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
                if (!Uri.TryCreate(info, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
                {
                    throw new FormatException($"parsing http reader url: \"{info}\"");
                }

                return new HttpReaderStream(url, _options.HttpReaderClient);
            default:
                // Lotus treats every other type as a push: only the UUID matters.
                if (!Guid.TryParse(info, out var id))
                {
                    throw new FormatException($"parsing reader UUID: \"{info}\"");
                }

                PurgeFinished();
                if (_finished.ContainsKey(id))
                {
                    throw new FormatException($"reader stream {id} was already used by another call");
                }

                var slot = GetOrAddSlot(id) ?? throw new FormatException($"too many pending reader streams ({_options.MaxPendingReaders}); refusing {id}");
                if (!slot.Claimed.TrySetResult())
                {
                    throw new FormatException($"reader stream {id} is already passed to another call");
                }

                return new PushReaderStream(this, id, slot);
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
        var slot = _finished.TryGetValue(id, out var done) ? done.Slot : GetOrAddSlot(id);
        if (slot is null)
        {
            RpcServer.Log.StreamEvent(_logger, id, $"refused: {_options.MaxPendingReaders} readers already pending");
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        if (!isHead && context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            // A piece may be any size: the body is streamed into the method, never buffered here.
            limit.MaxRequestBodySize = null;
        }

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

            if (!slot.Body.TrySetResult((context.Request.Body, aborted)))
            {
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                return;
            }

            await slot.Consumed.Task.WaitAsync(aborted).ConfigureAwait(false);
            context.Response.StatusCode = StatusCodes.Status200OK;
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            if (slot.Consumed.Task.IsCanceled && !aborted.IsCancellationRequested)
            {
                // The reading call was cancelled mid-body: drop the connection so its pending read of this body ends.
                RpcServer.Log.StreamEvent(_logger, id, "the reading call was cancelled: the push is cut");
                context.Abort();
                return;
            }

            if (!slot.Claimed.Task.IsCompleted && _slots.TryRemove(new KeyValuePair<Guid, PushSlot>(id, slot)))
            {
                slot.StopExpiry();
                RpcServer.Log.StreamEvent(_logger, id, "no call claimed the reader within " + _options.StreamTimeout);
            }

            if (!aborted.IsCancellationRequested)
            {
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            }
        }
    }

    private PushSlot? GetOrAddSlot(Guid id)
    {
        if (_slots.TryGetValue(id, out var existing))
        {
            return existing;
        }

        if (_slots.Count >= _options.MaxPendingReaders)
        {
            return null;
        }

        var created = new PushSlot();
        var slot = _slots.GetOrAdd(id, created);
        if (ReferenceEquals(slot, created))
        {
            created.StartExpiry(_options.TimeProvider.CreateTimer(static s => ((Expiry)s!).Fire(), new Expiry(this, id, created), _options.ReaderIdleTimeout, Timeout.InfiniteTimeSpan));
        }

        return slot;
    }

    /// <summary>The slot was not read within <see cref="RpcServerOptions.ReaderIdleTimeout"/>: give up on it.</summary>
    private void Expire(Guid id, PushSlot slot)
    {
        var expired = new TimeoutException($"reader stream {id} was not read within {_options.ReaderIdleTimeout}");
        if (!slot.ReadStarted.TrySetException(expired))
        {
            return; // reading started, or the reader was closed
        }

        slot.Claimed.TrySetResult();
        slot.Body.TrySetCanceled();
        slot.Consumed.TrySetResult();
        RpcServer.Log.StreamEvent(_logger, id, expired.Message);
        Finish(id, slot);
    }

    private void Finish(Guid id, PushSlot slot)
    {
        slot.StopExpiry();
        var at = _options.TimeProvider.GetTimestamp();
        _finished[id] = (slot, at);
        _finishedOrder.Enqueue((id, at));
        _slots.TryRemove(new KeyValuePair<Guid, PushSlot>(id, slot));
        PurgeFinished();
    }

    /// <summary>Forgets closed streams older than <see cref="RpcServerOptions.StreamTimeout"/>, and the oldest beyond <see cref="MaxFinished"/>.</summary>
    private void PurgeFinished()
    {
        while (_finishedOrder.TryPeek(out var head)
            && (_finishedOrder.Count > MaxFinished || _options.TimeProvider.GetElapsedTime(head.At) > _options.StreamTimeout))
        {
            if (!_finishedOrder.TryDequeue(out head))
            {
                break;
            }

            if (_finished.TryGetValue(head.Id, out var entry) && entry.At == head.At)
            {
                _finished.TryRemove(new KeyValuePair<Guid, (PushSlot, long)>(head.Id, entry));
            }
        }
    }

    private sealed record Expiry(ReaderStreamRegistry Owner, Guid Id, PushSlot Slot)
    {
        public void Fire() => Owner.Expire(Id, Slot);
    }

    private sealed class PushSlot
    {
        private ITimer? _expiry;

        public TaskCompletionSource Claimed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>true once the method reads, false if it closed the reader unread, faulted when the slot expired.</summary>
        public TaskCompletionSource<bool> ReadStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The POST's body and its connection's abort token (a client gone mid-body ends the read).</summary>
        public TaskCompletionSource<(Stream Body, CancellationToken Aborted)> Body { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Consumed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void StartExpiry(ITimer timer) => _expiry = timer;

        public void StopExpiry() => Interlocked.Exchange(ref _expiry, null)?.Dispose();
    }

    /// <summary>The reader a push param decodes to (Lotus RpcReader): the first read asks the client to POST.</summary>
    private sealed class PushReaderStream(ReaderStreamRegistry owner, Guid id, PushSlot slot) : ReadOnlyStream
    {
        private Stream? _body;
        private CancellationToken _aborted;
        private long _read;
        private bool _eof;
        private bool _disposed;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_eof)
            {
                return 0;
            }

            if (_body is null)
            {
                await BeginAsync(cancellationToken).ConfigureAwait(false);
            }

            int n;
            try
            {
                // A reader whose call is cancelled gives the push up: the push request ends (see HandlePushAsync), so
                // a body read that does not observe the token itself (a client that keeps the connection open and
                // sends nothing) still ends instead of holding the call, and the worker's shutdown, for ever.
                using var giveUp = cancellationToken.Register(static s => ((PushSlot)s!).Consumed.TrySetCanceled(), slot);

                // The push connection's abort ends the read too: a client that goes away mid-body is a cut push, even
                // when the server's body reader would go on waiting for the rest of a chunked body.
                using var read = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _aborted);
                n = await _body!.ReadAsync(buffer, read.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                throw new IOException($"reader stream {id}: the pushed data was cut after {_read} bytes: {ex.Message}", ex);
            }

            _read += n;
            if (n == 0 && buffer.Length > 0)
            {
                _eof = true;
                slot.Consumed.TrySetResult();
            }

            return n;
        }

        private async Task BeginAsync(CancellationToken cancellationToken)
        {
            if (!slot.ReadStarted.TrySetResult(true) && slot.ReadStarted.Task.IsFaulted)
            {
                throw new IOException(slot.ReadStarted.Task.Exception!.InnerException!.Message);
            }

            slot.StopExpiry();
            var options = owner._options;
            try
            {
                (_body, _aborted) = await slot.Body.Task.WaitAsync(options.StreamTimeout, options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException ex)
            {
                throw new IOException($"reader stream {id}: no data was pushed within {options.StreamTimeout}", ex);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new IOException($"reader stream {id} was closed before its data arrived", ex);
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (!_disposed)
            {
                _disposed = true;
                slot.ReadStarted.TrySetResult(false);
                slot.Claimed.TrySetResult();
                slot.Body.TrySetCanceled();
                slot.Consumed.TrySetResult();
                owner.Finish(id, slot);
            }

            base.Dispose(disposing);
        }
    }
}
