using System.Reflection;
using Kiln.Api;

namespace Kiln.Worker.Run;

/// <summary>
/// The <see cref="IMinerStorageApi"/> behind <see cref="MinerFailover.Api"/>: each call goes to the miner current
/// when it is made (a call already under way stays with the miner it was sent to).
/// </summary>
public class MinerFailoverProxy : DispatchProxy
{
    private MinerFailover _failover = null!;

    internal static IMinerStorageApi Create(MinerFailover failover)
    {
        var proxy = DispatchProxy.Create<IMinerStorageApi, MinerFailoverProxy>();
        ((MinerFailoverProxy)(object)proxy)._failover = failover;
        return proxy;
    }

    /// <inheritdoc/>
    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        return targetMethod.Invoke(_failover.CurrentClient, BindingFlags.DoNotWrapExceptions, binder: null, args, culture: null);
    }
}
