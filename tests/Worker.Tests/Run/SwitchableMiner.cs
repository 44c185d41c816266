using System.Collections.Concurrent;
using System.Reflection;
using Kiln.Api;
using Kiln.Api.Types;

namespace Kiln.Worker.Tests.Run;

/// <summary>
/// One of several miner processes for failover tests: up (answers what a worker asks at start, records
/// <c>WorkerConnect</c>, and gives empty answers to the rest), down (refuses every call as a closed port would), or hung
/// (answers nothing until the call is cancelled).
/// </summary>
public class SwitchableMiner : DispatchProxy
{
    private readonly TaskCompletionSource _called = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Up, down or hung.</summary>
    public MinerState State { get; set; } = MinerState.Up;

    /// <summary>The actor this process serves.</summary>
    public string Actor { get; set; } = "t01000";

    /// <summary>This process's session.</summary>
    public Guid Session { get; } = Guid.NewGuid();

    /// <summary>Every method called, in order.</summary>
    public ConcurrentQueue<string> Calls { get; } = new();

    /// <summary>The URL of the first <c>WorkerConnect</c> this process received.</summary>
    public Task<string> Connected => _connected.Task;

    /// <summary>Completes at the first call.</summary>
    public Task Called => _called.Task;

    /// <summary>A proxy of a new process in <paramref name="state"/>.</summary>
    public static IMinerStorageApi Create(MinerState state = MinerState.Up, string actor = "t01000")
    {
        var proxy = DispatchProxy.Create<IMinerStorageApi, SwitchableMiner>();
        var miner = (SwitchableMiner)(object)proxy;
        miner.State = state;
        miner.Actor = actor;
        return proxy;
    }

    /// <summary>The process behind <paramref name="proxy"/>.</summary>
    public static SwitchableMiner Of(IMinerStorageApi proxy) => (SwitchableMiner)(object)proxy;

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        Calls.Enqueue(targetMethod.Name);
        _called.TrySetResult();
        var ct = args is { Length: > 0 } && args[^1] is CancellationToken token ? token : CancellationToken.None;
        return State switch
        {
            MinerState.Down => targetMethod.ReturnType == typeof(Task)
                ? Task.FromException(new HttpRequestException("Connection refused (127.0.0.1:1)"))
                : Faulted(targetMethod.ReturnType, new HttpRequestException("Connection refused (127.0.0.1:1)")),
            MinerState.Hung => Hung(targetMethod.ReturnType, ct),
            _ => targetMethod.Name switch
            {
                "VersionAsync" => Task.FromResult(new ApiVersionInfo("kiln-miner switchable", ApiVersion.Miner, 30, "stub")),
                "ActorAddressAsync" => Task.FromResult(Actor),
                "SessionAsync" => Task.FromResult(Session),
                "ActorSectorSizeAsync" => Task.FromResult(2048UL),
                "AuthVerifyAsync" => Task.FromResult<IReadOnlyList<string>>(["read", "write", "sign", "admin"]),
                "WorkerConnectAsync" => Connect((string)args![0]!),
                _ => Empty(targetMethod.ReturnType),
            },
        };
    }

    private Task Connect(string url)
    {
        _connected.TrySetResult(url);
        return Task.CompletedTask;
    }

    private static object Empty(Type returnType)
    {
        if (!returnType.IsGenericType)
        {
            return Task.CompletedTask;
        }

        var result = returnType.GenericTypeArguments[0];
        return typeof(Task).GetMethod(nameof(Task.FromResult))!.MakeGenericMethod(result).Invoke(null, [result.IsValueType ? Activator.CreateInstance(result) : null])!;
    }

    private static object Faulted(Type returnType, Exception e) =>
        typeof(Task).GetMethod(nameof(Task.FromException), 1, [typeof(Exception)])!.MakeGenericMethod(returnType.GenericTypeArguments[0]).Invoke(null, [e])!;

    private static object Hung(Type returnType, CancellationToken ct) =>
        returnType == typeof(Task) ? Task.Delay(Timeout.Infinite, ct)
        : typeof(SwitchableMiner).GetMethod(nameof(HungAsync), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(returnType.GenericTypeArguments[0]).Invoke(null, [ct])!;

    private static async Task<T> HungAsync<T>(CancellationToken ct)
    {
        await Task.Delay(Timeout.Infinite, ct);
        throw new InvalidOperationException("unreachable");
    }
}
