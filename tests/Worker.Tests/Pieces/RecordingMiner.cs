using System.Collections.Concurrent;
using System.Reflection;
using Kiln.Api.Types;

namespace Kiln.Worker.Tests.Pieces;

/// <summary>The miner's <c>Return*</c> side as a worker sees it: every result handed back, by call id.</summary>
public class RecordingMiner : DispatchProxy
{
    private readonly ConcurrentDictionary<CallId, TaskCompletionSource<(object? Result, CallError? Error)>> _returns = new();

    /// <summary>Waits for the result of <paramref name="id"/> (bounded).</summary>
    public Task<(object? Result, CallError? Error)> ResultAsync(CallId id) =>
        Slot(id).Task.WaitAsync(TimeSpan.FromMinutes(2));

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (!targetMethod.Name.StartsWith("Return", StringComparison.Ordinal) || args is null)
        {
            throw new NotSupportedException($"{targetMethod.Name} is not used by these tests");
        }

        // Return*(CallId, [result], CallError?, CancellationToken)
        var id = (CallId)args[0]!;
        var result = args.Length == 4 ? args[1] : null;
        var error = (CallError?)args[^2];
        Slot(id).TrySetResult((result, error));
        return Task.CompletedTask;
    }

    private TaskCompletionSource<(object? Result, CallError? Error)> Slot(CallId id) =>
        _returns.GetOrAdd(id, _ => new TaskCompletionSource<(object? Result, CallError? Error)>(TaskCreationOptions.RunContinuationsAsynchronously));
}
