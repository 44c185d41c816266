using System.Collections.Concurrent;
using System.Reflection;
using Kiln.Stores.Index;

namespace Kiln.Stores.Tests.Support;

/// <summary>An <see cref="ISectorIndex"/> that forwards to another and counts calls per method name.</summary>
public class CountingIndex : DispatchProxy
{
    private ISectorIndex _inner = null!;

    public ConcurrentDictionary<string, int> Calls { get; } = new(StringComparer.Ordinal);

    public static (ISectorIndex Index, CountingIndex Counter) Wrap(ISectorIndex inner)
    {
        var index = Create<ISectorIndex, CountingIndex>();
        var counter = (CountingIndex)(object)index;
        counter._inner = inner;
        return (index, counter);
    }

    public int CallsOf(string method) => Calls.GetValueOrDefault(method);

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        Calls.AddOrUpdate(targetMethod.Name, 1, (_, n) => n + 1);
        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }
}
