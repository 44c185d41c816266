namespace Kiln.Api.JsonRpc;

/// <summary>Collects handler objects, each served through one interface, into an <see cref="RpcServer"/>.</summary>
public sealed class RpcServerBuilder
{
    private readonly List<RpcServerMethod> _methods = [];

    /// <summary>
    /// Serves every method of <typeparamref name="TInterface"/> (and the interfaces it extends) on
    /// <paramref name="handler"/> as <c>{namespace}.{Method without Async}</c>; the namespace defaults to the
    /// interface's [RpcNamespace].
    /// </summary>
    public RpcServerBuilder Register<TInterface>(TInterface handler, string? @namespace = null)
        where TInterface : class
    {
        ArgumentNullException.ThrowIfNull(handler);
        foreach (var shape in RpcMethodShape.Of(typeof(TInterface), @namespace))
        {
            _methods.Add(new RpcServerMethod(shape, handler));
        }

        return this;
    }

    public RpcServer Build(RpcServerOptions? options = null) => new(_methods, options ?? new RpcServerOptions());
}
