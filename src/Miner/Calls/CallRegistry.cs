using System.Collections.Concurrent;
using Kiln.Api.Types;

namespace Kiln.Miner.Calls;

/// <summary>
/// Matches the results workers send through <c>Return*</c> with the calls waiting for them
/// (Lotus storage/sealer/manager_calltracker.go returnResult): a result that arrives before anyone waits is kept
/// until asked for; a second result for the same call is rejected. A call the miner gave up (its worker was lost,
/// <see cref="FailWorker"/>) takes its first late result without complaint (<see cref="TakeLate"/>): a lotus-worker
/// retries a Return* until it succeeds (worker_local.go doReturn), so refusing it would make it retry forever.
/// </summary>
public sealed class CallRegistry
{
    private readonly ConcurrentDictionary<CallId, TaskCompletionSource<CallResult>> _calls = new();
    private readonly ConcurrentDictionary<CallId, byte> _completed = new();
    private readonly ConcurrentDictionary<CallId, Guid> _workers = new();
    private readonly ConcurrentDictionary<CallId, byte> _givenUp = new();

    /// <summary>Remembers which worker runs a call, so the call can be given up when that worker is lost.</summary>
    public void Track(CallId call, Guid worker) => _workers[call] = worker;

    /// <summary>Fails every call still running on <paramref name="worker"/> with <paramref name="error"/>; returns how many.</summary>
    public int FailWorker(Guid worker, CallError error)
    {
        var failed = 0;
        foreach (var (call, w) in _workers)
        {
            if (w == worker && _workers.TryRemove(call, out _) && _completed.TryAdd(call, 0))
            {
                _givenUp[call] = 0;
                _calls.GetOrAdd(call, _ => NewSource()).TrySetResult(new CallResult(null, error));
                failed++;
            }
        }

        return failed;
    }

    /// <summary>Waits for the result of a call a worker accepted.</summary>
    public async Task<CallResult> WaitAsync(CallId call, CancellationToken cancellationToken)
    {
        var tcs = _calls.GetOrAdd(call, _ => NewSource());
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
        if (!_completed.TryAdd(call, 0))
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
    public bool MarkReported(CallId call) => _completed.TryAdd(call, 0);

    /// <summary>Calls waiting for a result (SealingAbort, WorkerJobs).</summary>
    public IReadOnlyCollection<CallId> Pending => [.. _calls.Where(c => !c.Value.Task.IsCompleted).Select(c => c.Key)];

    private static TaskCompletionSource<CallResult> NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
