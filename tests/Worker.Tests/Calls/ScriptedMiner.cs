using System.Collections.Concurrent;
using System.Reflection;
using Kiln.Api.Types;

namespace Kiln.Worker.Tests.Calls;

/// <summary>
/// The miner's <c>Return*</c> side with a script: every attempt is recorded (method, call, result, error) and
/// answered by <see cref="Answer"/>, which may fail (a miner that is down) or stay pending (a late acknowledgement).
/// </summary>
public class ScriptedMiner : DispatchProxy
{
    private readonly SemaphoreSlim _attempted = new(0);

    /// <summary>Answers an attempt; the default accepts it at once.</summary>
    public Func<ReturnAttempt, Task> Answer { get; set; } = _ => Task.CompletedTask;

    /// <summary>Every <c>Return*</c> attempt so far, in order.</summary>
    public ConcurrentQueue<ReturnAttempt> Attempts { get; } = new();

    /// <summary>Waits (bounded) for the next attempt not yet waited for.</summary>
    public async Task NextAttemptAsync() =>
        Assert.True(await _attempted.WaitAsync(TimeSpan.FromSeconds(30)), "the runner made no further Return* attempt");

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (!targetMethod.Name.StartsWith("Return", StringComparison.Ordinal) || args is null)
        {
            throw new NotSupportedException($"{targetMethod.Name} is not used by these tests");
        }

        // Return*(CallId, [result], CallError?, CancellationToken)
        var attempt = new ReturnAttempt(targetMethod.Name, (CallId)args[0]!, args.Length == 4 ? args[1] : null, (CallError?)args[^2], (CancellationToken)args[^1]!);
        Attempts.Enqueue(attempt);
        Task answer;
        try
        {
            answer = Answer(attempt);
        }
        finally
        {
            _attempted.Release();
        }

        return answer;
    }
}
