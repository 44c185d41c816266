using System.Reflection;
using System.Runtime.CompilerServices;

namespace Kiln.Api.JsonRpc;

/// <summary>One entry of the server's frozen method table: a shape bound to its implementation.</summary>
internal sealed class RpcServerMethod
{
    private static readonly MethodInfo AwaitTaskOfMethod = typeof(RpcServerMethod).GetMethod(nameof(AwaitTaskOf), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo AwaitValueTaskOfMethod = typeof(RpcServerMethod).GetMethod(nameof(AwaitValueTaskOf), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo BoxStreamMethod = typeof(RpcServerMethod).GetMethod(nameof(BoxStream), BindingFlags.NonPublic | BindingFlags.Static)!;

    public RpcServerMethod(RpcMethodShape shape, object target)
    {
        Shape = shape;
        Target = target;
        Invoker = MethodInvoker.Create(shape.Method);
        Permission = shape.Permission ?? Kiln.Api.Permission.Admin;
        ParamDefaults = [.. shape.ParameterTypes.Select(t => t.IsValueType ? RuntimeHelpers.GetUninitializedObject(t) : null)];
        IsStreamParam = [.. shape.ParameterTypes.Select(t => t == typeof(Stream))];
        HasStreamParams = IsStreamParam.Contains(true);
        var rt = shape.Method.ReturnType;
        AwaitResult = shape.Kind switch
        {
            RpcResultKind.Void when rt == typeof(Task) => AwaitTask,
            RpcResultKind.Void => AwaitValueTask,
            RpcResultKind.Value when rt.GetGenericTypeDefinition() == typeof(Task<>) => AwaitTaskOfMethod.MakeGenericMethod(shape.ResultType!).CreateDelegate<Func<object, ValueTask<object?>>>(),
            RpcResultKind.Value => AwaitValueTaskOfMethod.MakeGenericMethod(shape.ResultType!).CreateDelegate<Func<object, ValueTask<object?>>>(),
            _ => null,
        };
        Enumerate = shape.Kind == RpcResultKind.Channel
            ? BoxStreamMethod.MakeGenericMethod(shape.ResultType!).CreateDelegate<Func<object, CancellationToken, IAsyncEnumerable<object?>>>()
            : null;
    }

    public RpcMethodShape Shape { get; }

    public string Name => Shape.Name;

    public object Target { get; }

    public MethodInvoker Invoker { get; }

    /// <summary>The permission checked (admin when the method has no [Perm]).</summary>
    public string Permission { get; }

    /// <summary>What a JSON <c>null</c> decodes to, per param (Go leaves the zero value).</summary>
    public object?[] ParamDefaults { get; }

    public bool[] IsStreamParam { get; }

    public bool HasStreamParams { get; }

    /// <summary>Awaits the returned task and yields its boxed result (null for void methods).</summary>
    public Func<object, ValueTask<object?>>? AwaitResult { get; }

    /// <summary>Channel methods: the returned IAsyncEnumerable, boxed per element.</summary>
    public Func<object, CancellationToken, IAsyncEnumerable<object?>>? Enumerate { get; }

    private static async ValueTask<object?> AwaitTask(object task)
    {
        await ((Task)task).ConfigureAwait(false);
        return null;
    }

    private static async ValueTask<object?> AwaitValueTask(object task)
    {
        await ((ValueTask)task).ConfigureAwait(false);
        return null;
    }

    private static async ValueTask<object?> AwaitTaskOf<T>(object task) => await ((Task<T>)task).ConfigureAwait(false);

    private static async ValueTask<object?> AwaitValueTaskOf<T>(object task) => await ((ValueTask<T>)task).ConfigureAwait(false);

    private static async IAsyncEnumerable<object?> BoxStream<T>(object source, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in ((IAsyncEnumerable<T>)source).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return item;
        }
    }
}
