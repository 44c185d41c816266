namespace Kiln.Miner.Sealing;

/// <summary>
/// A batch of sectors waiting to go on chain in one message, sent as Lotus's batchers send theirs
/// (storage/pipeline/precommit_batch.go and commit_batch.go <c>run</c>, <c>batchWait</c>, <c>maybeStartBatch</c>):
/// as soon as it holds <see cref="MaxBatch"/> sectors; otherwise when the batch wait runs out, or earlier, one slack
/// before the earliest sector's cutoff; or at once on <see cref="FlushAsync"/>. Each sector's <see cref="AddAsync"/>
/// completes with the result of the batch that carried it. The batch lives in memory: a restarted miner rebuilds it
/// from the sectors' states.
/// </summary>
/// <typeparam name="T">What the message needs of each sector.</typeparam>
public sealed partial class MessageBatcher<T> : IAsyncDisposable
    where T : class
{
    private readonly Func<IReadOnlyList<BatchEntry<T>>, CancellationToken, Task<IReadOnlyList<BatchResult>>> _send;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly SortedDictionary<ulong, Waiting> _todo = [];
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private TaskCompletionSource<IReadOnlyList<BatchResult>>? _flush;
    private bool _full;

    /// <param name="name">"precommit" or "commit", for logs.</param>
    /// <param name="maxBatch">Send at once when this many sectors wait.</param>
    /// <param name="wait">The longest a sector waits.</param>
    /// <param name="slack">Send this long before the earliest cutoff.</param>
    /// <param name="send">Sends the sectors given (sorted by number) in one or more messages.</param>
    /// <param name="time">The clock the waits run on.</param>
    /// <param name="logger">Logs each batch.</param>
    public MessageBatcher(string name, int maxBatch, TimeSpan wait, TimeSpan slack, Func<IReadOnlyList<BatchEntry<T>>, CancellationToken, Task<IReadOnlyList<BatchResult>>> send, TimeProvider time, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        Name = name;
        MaxBatch = maxBatch;
        Wait = wait;
        Slack = slack;
        _send = send;
        _time = time;
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    public string Name { get; }

    public int MaxBatch { get; }

    public TimeSpan Wait { get; }

    public TimeSpan Slack { get; }

    /// <summary>The sectors waiting, by number.</summary>
    public IReadOnlyList<PendingBatchEntry> Pending
    {
        get
        {
            lock (_lock)
            {
                return [.. _todo.Values.Select(w => new PendingBatchEntry(w.Entry.Sector, w.Added, w.Entry.Funds))];
            }
        }
    }

    /// <summary>
    /// Puts the sector in the batch (replacing an earlier entry of the same sector) and waits until its batch is sent.
    /// Cancelling takes the sector out of the batch if it has not been sent yet.
    /// </summary>
    /// <exception cref="Exception">Whatever sending the batch threw (e.g. a <c>ChainException</c> of a node that is down).</exception>
    public async Task<BatchResult> AddAsync(BatchEntry<T> entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var waiting = new Waiting(entry, _time.GetUtcNow(), new TaskCompletionSource<BatchResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        lock (_lock)
        {
            if (_todo.Remove(entry.Sector, out var earlier))
            {
                earlier.Done.TrySetCanceled(CancellationToken.None);
            }

            _todo[entry.Sector] = waiting;
            _full = _todo.Count >= MaxBatch;
        }

        Log.Queued(_logger, Name, entry.Sector, entry.Cutoff);
        _wake.Release();
        using var registration = cancellationToken.Register(() =>
        {
            lock (_lock)
            {
                if (_todo.TryGetValue(entry.Sector, out var current) && ReferenceEquals(current, waiting))
                {
                    _todo.Remove(entry.Sector);
                }
            }

            waiting.Done.TrySetCanceled(cancellationToken);
        });
        return await waiting.Done.Task.ConfigureAwait(false);
    }

    /// <summary>Sends whatever waits now (Lotus <c>Flush</c>, <c>sectors batching … --publish-now</c>); the batches sent.</summary>
    public async Task<IReadOnlyList<BatchResult>> FlushAsync(CancellationToken cancellationToken)
    {
        var flush = new TaskCompletionSource<IReadOnlyList<BatchResult>>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (_flush is { } pending)
            {
                flush = pending;
            }
            else
            {
                _flush = flush;
            }
        }

        _wake.Release();
        return await flush.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>How long until the batch is due: the wait, or one slack before the earliest cutoff (never negative).</summary>
    private TimeSpan Due()
    {
        lock (_lock)
        {
            if (_todo.Count == 0)
            {
                return Wait;
            }

            var cutoff = _todo.Values.Min(w => w.Entry.Cutoff) - Slack;
            var untilCutoff = cutoff - _time.GetUtcNow();
            var byAge = _todo.Values.Min(w => w.Added) + Wait - _time.GetUtcNow();
            var due = untilCutoff < byAge ? untilCutoff : byAge;
            return due < TimeSpan.Zero ? TimeSpan.Zero : due;
        }
    }

    private async Task RunAsync()
    {
        var stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            var due = Due();
            bool woken;
            try
            {
                woken = await WaitWakeAsync(due, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }

            TaskCompletionSource<IReadOnlyList<BatchResult>>? flush;
            List<Waiting> batch;
            lock (_lock)
            {
                flush = _flush;
                _flush = null;
                var dueNow = !woken && _todo.Count > 0;
                if (flush is null && !dueNow && !_full)
                {
                    continue;
                }

                batch = [.. _todo.Values];
                _todo.Clear();
                _full = false;
            }

            var results = await SendAsync(batch, stop).ConfigureAwait(false);
            flush?.TrySetResult(results);
        }
    }

    /// <summary>True when woken (a sector joined, a flush), false when <paramref name="due"/> passed.</summary>
    private async Task<bool> WaitWakeAsync(TimeSpan due, CancellationToken stop)
    {
        if (due <= TimeSpan.Zero)
        {
            return _wake.Wait(0);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var woken = _wake.WaitAsync(timeout.Token);
        var delay = Task.Delay(due, _time, timeout.Token);
        var first = await Task.WhenAny(woken, delay).ConfigureAwait(false);
        await timeout.CancelAsync().ConfigureAwait(false);
        stop.ThrowIfCancellationRequested();
        if (first == woken)
        {
            await woken.ConfigureAwait(false);
            return true;
        }

        try
        {
            await woken.ConfigureAwait(false);
            return true; // a wake raced the timer and took the semaphore: count it
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task<IReadOnlyList<BatchResult>> SendAsync(List<Waiting> batch, CancellationToken stop)
    {
        if (batch.Count == 0)
        {
            return [];
        }

        Log.Sending(_logger, Name, batch.Count, string.Join(',', batch.Select(w => w.Entry.Sector)));
        IReadOnlyList<BatchResult> results;
        try
        {
            results = await _send([.. batch.Select(w => w.Entry)], stop).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
        {
            Log.SendFailed(_logger, Name, batch.Count, e.Message);
            foreach (var w in batch)
            {
                w.Done.TrySetException(e);
            }

            return [new BatchResult([.. batch.Select(w => w.Entry.Sector)], null, e.Message)];
        }

        foreach (var w in batch)
        {
            var result = results.FirstOrDefault(r => r.Sectors.Contains(w.Entry.Sector))
                ?? new BatchResult([w.Entry.Sector], null, $"the {Name} batch sent no message for sector {w.Entry.Sector}");
            w.Done.TrySetResult(result);
        }

        return results;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        lock (_lock)
        {
            foreach (var w in _todo.Values)
            {
                w.Done.TrySetCanceled(CancellationToken.None);
            }

            _todo.Clear();
            _flush?.TrySetCanceled(CancellationToken.None);
        }

        _stop.Dispose();
        _wake.Dispose();
    }

    private sealed record Waiting(BatchEntry<T> Entry, DateTimeOffset Added, TaskCompletionSource<BatchResult> Done);

    private static partial class Log
    {
        [LoggerMessage(EventId = 5020, EventName = "BatchQueued", Level = LogLevel.Information, Message = "{Batch} batch: sector {Sector} queued (cutoff {Cutoff:u})")]
        public static partial void Queued(ILogger logger, string batch, ulong sector, DateTimeOffset cutoff);

        [LoggerMessage(EventId = 5021, EventName = "BatchSending", Level = LogLevel.Information, Message = "{Batch} batch: sending {Count} sectors ({Sectors})")]
        public static partial void Sending(ILogger logger, string batch, int count, string sectors);

        [LoggerMessage(EventId = 5022, EventName = "BatchSendFailed", Level = LogLevel.Warning, Message = "{Batch} batch of {Count} sectors not sent: {Reason}")]
        public static partial void SendFailed(ILogger logger, string batch, int count, string reason);
    }
}
