using System.Reflection;

namespace Kiln.Api.JsonRpc;

/// <summary>How a method's return value reaches the wire.</summary>
internal enum RpcResultKind
{
    /// <summary><c>Task</c> / <c>ValueTask</c>: <c>"result":null</c>.</summary>
    Void,

    /// <summary><c>Task&lt;T&gt;</c> / <c>ValueTask&lt;T&gt;</c>: the value.</summary>
    Value,

    /// <summary><c>IAsyncEnumerable&lt;T&gt;</c>: a go-jsonrpc channel (WebSocket only).</summary>
    Channel,
}

/// <summary>
/// The shape of one interface method as JSON-RPC sees it: wire name, positional parameter types
/// (a trailing <see cref="CancellationToken"/> is not a param), result kind and required permission.
/// Shared by the server's method table and the client proxy.
/// </summary>
internal sealed class RpcMethodShape
{
    private RpcMethodShape(MethodInfo method, string name, string shortName)
    {
        Method = method;
        Name = name;
        ShortName = shortName;
        var ps = method.GetParameters();
        HasCancellationToken = ps.Length > 0 && ps[^1].ParameterType == typeof(CancellationToken);
        ParameterTypes = [.. ps.Take(ps.Length - (HasCancellationToken ? 1 : 0)).Select(p => p.ParameterType)];
        Permission = method.GetCustomAttribute<PermAttribute>()?.Permission;

        var rt = method.ReturnType;
        if (rt == typeof(Task) || rt == typeof(ValueTask))
        {
            Kind = RpcResultKind.Void;
        }
        else if (rt.IsGenericType && (rt.GetGenericTypeDefinition() == typeof(Task<>) || rt.GetGenericTypeDefinition() == typeof(ValueTask<>)))
        {
            Kind = RpcResultKind.Value;
            ResultType = rt.GetGenericArguments()[0];
        }
        else if (rt.IsGenericType && rt.GetGenericTypeDefinition() == typeof(IAsyncEnumerable<>))
        {
            Kind = RpcResultKind.Channel;
            ResultType = rt.GetGenericArguments()[0];
        }
        else
        {
            throw new ArgumentException($"RPC method {method.DeclaringType?.Name}.{method.Name} must return Task, Task<T>, ValueTask, ValueTask<T> or IAsyncEnumerable<T>.");
        }
    }

    public MethodInfo Method { get; }

    /// <summary>Wire name, <c>Namespace.Method</c>.</summary>
    public string Name { get; }

    /// <summary>The method name without namespace (as Lotus's permission errors print it).</summary>
    public string ShortName { get; }

    public Type[] ParameterTypes { get; }

    public bool HasCancellationToken { get; }

    public RpcResultKind Kind { get; }

    /// <summary>T of Task&lt;T&gt; / IAsyncEnumerable&lt;T&gt;; null for void methods.</summary>
    public Type? ResultType { get; }

    /// <summary>The [Perm] permission, or null when the method has none.</summary>
    public string? Permission { get; }

    /// <summary>The methods of an interface and the interfaces it extends, keyed by wire name.</summary>
    public static IEnumerable<RpcMethodShape> Of(Type contract, string? @namespace)
    {
        if (!contract.IsInterface)
        {
            throw new ArgumentException($"{contract.Name} is not an interface.", nameof(contract));
        }

        var ns = @namespace ?? contract.GetCustomAttribute<RpcNamespaceAttribute>()?.Name
            ?? throw new ArgumentException($"{contract.Name} has no [RpcNamespace] and no namespace was given.", nameof(@namespace));
        foreach (var type in contract.GetInterfaces().Prepend(contract))
        {
            foreach (var m in type.GetMethods())
            {
                if (m.IsStatic || m.IsSpecialName)
                {
                    continue;
                }

                var shortName = m.Name.EndsWith("Async", StringComparison.Ordinal) ? m.Name[..^5] : m.Name;
                yield return new RpcMethodShape(m, ns + "." + shortName, shortName);
            }
        }
    }

    /// <summary>Go-style parameter type name for error messages (<c>*int</c>, <c>*Foo</c>).</summary>
    public static string GoTypeName(Type t) => "*" + (t.IsGenericType ? t.Name[..t.Name.IndexOf('`', StringComparison.Ordinal)] : t.Name);

    public override string ToString() => Name;
}
