using System.Collections.Concurrent;
using System.Reflection;
using Kiln.Api.Types;

namespace Kiln.Worker.Tests.Run;

/// <summary>
/// Just enough of kiln-miner for a worker host to start: its version, actor and sector size, a session, tokens
/// verified as admin, and every <c>WorkerConnect</c> recorded; any other call succeeds with an empty answer.
/// </summary>
public class StubMiner : DispatchProxy
{
    private readonly TaskCompletionSource<string> _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The miner's session.</summary>
    public Guid Session { get; } = Guid.NewGuid();

    /// <summary>Every method called, in order.</summary>
    public ConcurrentQueue<string> Calls { get; } = new();

    /// <summary>The URL of the first <c>WorkerConnect</c> (bounded wait).</summary>
    public Task<string> ConnectedUrlAsync() => _connected.Task.WaitAsync(TimeSpan.FromSeconds(30));

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        Calls.Enqueue(targetMethod.Name);
        switch (targetMethod.Name)
        {
            case "VersionAsync":
                return Task.FromResult(new ApiVersionInfo("kiln-miner stub", ApiVersion.Miner, 30, "stub"));
            case "ActorAddressAsync":
                return Task.FromResult("t01000");
            case "ActorSectorSizeAsync":
                return Task.FromResult(2048UL);
            case "SessionAsync":
                return Task.FromResult(Session);
            case "AuthVerifyAsync":
                return Task.FromResult<IReadOnlyList<string>>(["read", "write", "sign", "admin"]);
            case "WorkerConnectAsync":
                _connected.TrySetResult((string)args![0]!);
                return Task.CompletedTask;
        }

        var returns = targetMethod.ReturnType;
        if (!returns.IsGenericType)
        {
            return Task.CompletedTask;
        }

        var result = returns.GenericTypeArguments[0];
        var empty = result.IsValueType ? Activator.CreateInstance(result) : null;
        return typeof(Task).GetMethod(nameof(Task.FromResult))!.MakeGenericMethod(result).Invoke(null, [empty]);
    }
}
