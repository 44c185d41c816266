using System.Collections.Concurrent;
using Kiln.Api.Types;

namespace Kiln.Miner.Calls;

/// <summary>
/// Matches the results workers send through <c>Return*</c> with the calls waiting for them
/// (Lotus storage/sealer/manager_calltracker.go returnResult): a result that arrives before anyone waits is kept
/// until asked for; a second result for the same call is rejected. A call the miner gave up (its worker was lost,
/// <see cref="FailWorker"/>) takes its first late result without complaint (<see cref="TakeLate"/>): a lotus-worker
/// retries a Return* until it succeeds (worker_local.go doReturn), so refusing it would make it retry forever.
/// A call tracked on a worker already given up fails at once (the worker was lost between accepting the call and the
/// miner tracking it), until that worker registers again (<see cref="Reconnected"/>). Unlike Lotus's callRes map, which keeps every answered call for the life of the process, an answered call is
/// forgotten <see cref="Retention"/> after its result arrived (<see cref="Prune"/>, also run now and then by the
/// calls that add entries): until then a duplicate Return* is rejected, after that it counts as a result for an
/// unknown call.
/// </summary>
public sealed class CallRegistry
{
    /// <summary>How long an answered call is remembered by default: one hour.</summary>
    public static readonly TimeSpan DefaultRetention = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<CallId, TaskCompletionSource<CallResult>> _calls = new();
    private readonly ConcurrentDictionary<CallId, long> _completed = new();
    private readonly ConcurrentDictionary<CallId, Guid> _workers = new();
    private readonly ConcurrentDictionary<CallId, byte> _givenUp = new();
    private readonly ConcurrentDictionary<Guid, (CallError Error, long At)> _failedWorkers = new();
    private readonly TimeProvider _time;
    private long _lastPrune;

    /// <summary>A registry that forgets answered calls <paramref name="retention"/> (default <see cref="DefaultRetention"/>) after their result, on <paramref name="time"/>'s clock.</summary>
    public CallRegistry(TimeProvider? time = null, TimeSpan? retention = null)
    {
        _time = time ?? TimeProvider.System;
        Retention = retention ?? DefaultRetention;
        if (Retention <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(retention), retention, "the retention of answered calls must be positive");
        }

        _lastPrune = _time.GetTimestamp();
    }

    /// <summary>How long an answered call is remembered (duplicates rejected, an unclaimed result kept).</summary>
    public TimeSpan Retention { get; }

    /// <summary>Answered calls still remembered (delivered, waiting to be claimed, or given up).</summary>
    public int Completed => _completed.Count;

    /// <summary>
    /// Remembers which worker runs a call, so the call can be given up when that worker is lost. A call of a worker
    /// already given up (lost between accepting the call and this) fails at once with that worker's error.
    /// </summary>
    public void Track(CallId call, Guid worker)
    {
        _workers[call] = worker;
        Interlocked.MemoryBarrier(); // against FailWorker: it marks the worker, then looks for its calls
        if (_failedWorkers.TryGetValue(worker, out var failed))
        {
            GiveUp(call, failed.Error);
        }
    }

    /// <summary>
    /// Fails every call still running on <paramref name="worker"/> with <paramref name="error"/>, and every call tracked
    /// on it later until it <see cref="Reconnected"/>; returns how many calls failed now.
    /// </summary>
    public int FailWorker(Guid worker, CallError error)
    {
        PruneNowAndThen();
        _failedWorkers[worker] = (error, _time.GetTimestamp());
        Interlocked.MemoryBarrier();
        var failed = 0;
        foreach (var (call, w) in _workers)
        {
            if (w == worker && GiveUp(call, error))
            {
                failed++;
            }
        }

        return failed;
    }

    /// <summary>A worker given up registered again: its new calls are tracked as usual.</summary>
    public void Reconnected(Guid worker) => _failedWorkers.TryRemove(worker, out _);

    /// <summary>
    /// Raised when <see cref="WaitAsync"/> starts waiting for a call (the call is then in <see cref="Pending"/> until its
    /// result arrives). Handlers run on the waiter's thread and must not block.
    /// </summary>
    public event Action<CallId>? Waiting;

    /// <summary>Waits for the result of a call a worker accepted.</summary>
    public async Task<CallResult> WaitAsync(CallId call, CancellationToken cancellationToken)
    {
        var tcs = _calls.GetOrAdd(call, _ => NewSource());
        Waiting?.Invoke(call);
        try
        {
            return await tcs.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (tcs.Task.IsCompleted)
            {
                _calls.TryRemove(call, out _);
            }
        }
    }

    /// <summary>A worker's Return* for <paramref name="call"/>. Throws when the call already has a result.</summary>
    public void Complete(CallId call, object? value, CallError? error)
    {
        PruneNowAndThen();
        if (!_completed.TryAdd(call, _time.GetTimestamp()))
        {
            throw new InvalidOperationException($"result for call {call} already reported");
        }

        _workers.TryRemove(call, out _);
        _calls.GetOrAdd(call, _ => NewSource()).TrySetResult(new CallResult(value, error));
    }

    /// <summary>
    /// Whether <paramref name="call"/> is a call this registry gave up that had no late result yet; true once per call
    /// (the late result is then accepted and not delivered: the call's waiter already got its error).
    /// </summary>
    public bool TakeLate(CallId call) => _givenUp.TryRemove(call, out _);

    /// <summary>
    /// Marks a call answered without delivering anything (a late result the <see cref="WorkStore"/> took for a call a
    /// previous miner process gave up); false when it already had a result.
    /// </summary>
    public bool MarkReported(CallId call)
    {
        PruneNowAndThen();
        return _completed.TryAdd(call, _time.GetTimestamp());
    }

    /// <summary>Calls waiting for a result (SealingAbort, WorkerJobs).</summary>
    public IReadOnlyCollection<CallId> Pending => [.. _calls.Where(c => !c.Value.Task.IsCompleted).Select(c => c.Key)];

    /// <summary>
    /// Forgets every call answered at least <see cref="Retention"/> ago: its duplicate guard, its result if nobody
    /// claimed it, its given-up mark. Returns how many calls were forgotten.
    /// </summary>
    public int Prune()
    {
        var now = _time.GetTimestamp();
        Interlocked.Exchange(ref _lastPrune, now);
        var pruned = 0;
        foreach (var (call, answered) in _completed)
        {
            if (_time.GetElapsedTime(answered, now) < Retention)
            {
                continue;
            }

            if (_calls.TryGetValue(call, out var source) && source.Task.IsCompleted)
            {
                _calls.TryRemove(new KeyValuePair<CallId, TaskCompletionSource<CallResult>>(call, source));
            }

            _givenUp.TryRemove(call, out _);
            if (_completed.TryRemove(new KeyValuePair<CallId, long>(call, answered)))
            {
                pruned++;
            }
        }

        foreach (var (worker, failed) in _failedWorkers)
        {
            if (_time.GetElapsedTime(failed.At, now) >= Retention)
            {
                _failedWorkers.TryRemove(new KeyValuePair<Guid, (CallError, long)>(worker, failed));
            }
        }

        return pruned;
    }

    /// <summary>Fails one call with <paramref name="error"/> and marks it given up; false when it already had a result.</summary>
    private bool GiveUp(CallId call, CallError error)
    {
        if (!_workers.TryRemove(call, out _) || !_completed.TryAdd(call, _time.GetTimestamp()))
        {
            return false;
        }

        _givenUp[call] = 0;
        _calls.GetOrAdd(call, _ => NewSource()).TrySetResult(new CallResult(null, error));
        return true;
    }

    /// <summary>Prunes at most every quarter of the retention, from the calls that add entries (no timer of its own).</summary>
    private void PruneNowAndThen()
    {
        if (_time.GetElapsedTime(Interlocked.Read(ref _lastPrune)) >= Retention / 4)
        {
            Prune();
        }
    }

    private static TaskCompletionSource<CallResult> NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
