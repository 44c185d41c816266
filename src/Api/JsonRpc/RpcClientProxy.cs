using System.Collections.Frozen;
using System.Reflection;

namespace Kiln.Api.JsonRpc;

/// <summary>The <see cref="DispatchProxy"/> behind <see cref="RpcClient.CreateProxy{TInterface}"/>.</summary>
public class RpcClientProxy : DispatchProxy
{
    private static readonly MethodInfo ValueOfMethod = typeof(RpcClientProxy).GetMethod(nameof(ValueOfAsync), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo ValueTaskOfMethod = typeof(RpcClientProxy).GetMethod(nameof(ValueTaskOf), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo StreamOfMethod = typeof(RpcClientProxy).GetMethod(nameof(StreamOf), BindingFlags.NonPublic | BindingFlags.Static)!;

    private RpcClient _client = null!;
    private FrozenDictionary<MethodInfo, ProxyMethod> _methods = FrozenDictionary<MethodInfo, ProxyMethod>.Empty;

    internal void Initialize(RpcClient client, Type contract, string? @namespace)
    {
        _client = client;
        _methods = RpcMethodShape.Of(contract, @namespace).ToFrozenDictionary(s => s.Method, s => new ProxyMethod(s, Adapter(s)));
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (!_methods.TryGetValue(targetMethod, out var m))
        {
            throw new NotSupportedException($"{targetMethod.Name} is not an RPC method.");
        }

        args ??= [];
        var ct = m.Shape.HasCancellationToken ? (CancellationToken)args[^1]! : CancellationToken.None;
        var parameters = m.Shape.HasCancellationToken ? args[..^1] : args;
        return m.Invoke(_client, m.Shape, parameters, ct);
    }

    private static Func<RpcClient, RpcMethodShape, object?[], CancellationToken, object> Adapter(RpcMethodShape shape)
    {
        var rt = shape.Method.ReturnType;
        return shape.Kind switch
        {
            RpcResultKind.Void when rt == typeof(Task) => static (c, s, a, ct) => c.CallAsync(s.Name, a, s.ParameterTypes, ct),
            RpcResultKind.Void => static (c, s, a, ct) => new ValueTask(c.CallAsync(s.Name, a, s.ParameterTypes, ct)),
            RpcResultKind.Value when rt.GetGenericTypeDefinition() == typeof(Task<>) => ValueOfMethod.MakeGenericMethod(shape.ResultType!).CreateDelegate<Func<RpcClient, RpcMethodShape, object?[], CancellationToken, object>>(),
            RpcResultKind.Value => ValueTaskOfMethod.MakeGenericMethod(shape.ResultType!).CreateDelegate<Func<RpcClient, RpcMethodShape, object?[], CancellationToken, object>>(),
            _ => StreamOfMethod.MakeGenericMethod(shape.ResultType!).CreateDelegate<Func<RpcClient, RpcMethodShape, object?[], CancellationToken, object>>(),
        };
    }

    private static object ValueOfAsync<T>(RpcClient client, RpcMethodShape shape, object?[] args, CancellationToken ct) => ValueOfCoreAsync<T>(client, shape, args, ct);

    private static async Task<T> ValueOfCoreAsync<T>(RpcClient client, RpcMethodShape shape, object?[] args, CancellationToken ct) =>
        RpcClient.Deserialize<T>(await client.CallAsync(shape.Name, args, shape.ParameterTypes, ct).ConfigureAwait(false));

    private static object ValueTaskOf<T>(RpcClient client, RpcMethodShape shape, object?[] args, CancellationToken ct) =>
        new ValueTask<T>(ValueOfCoreAsync<T>(client, shape, args, ct));

    private static object StreamOf<T>(RpcClient client, RpcMethodShape shape, object?[] args, CancellationToken ct) =>
        client.SubscribeAsync<T>(shape.Name, args, shape.ParameterTypes, ct);

    private sealed record ProxyMethod(RpcMethodShape Shape, Func<RpcClient, RpcMethodShape, object?[], CancellationToken, object> Invoke);
}
