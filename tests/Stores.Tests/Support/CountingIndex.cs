using System.Collections.Concurrent;
using System.Reflection;
using System.Threading.Channels;
using Kiln.Api.Types;
using Kiln.Stores.Index;

namespace Kiln.Stores.Tests.Support;

/// <summary>An <see cref="ISectorIndex"/> that forwards to another, counts calls per method name, and can hold <c>StorageList</c>.</summary>
public class CountingIndex : DispatchProxy
{
    private ISectorIndex _inner = null!;

    public ConcurrentDictionary<string, int> Calls { get; } = new(StringComparer.Ordinal);

    /// <summary>When set, <c>StorageList</c> completes this when entered and then waits for its token to fire.</summary>
    public TaskCompletionSource? HoldStorageList { get; set; }

    /// <summary>Completed when a held <c>StorageList</c> call saw its token fire.</summary>
    public TaskCompletionSource StorageListCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static (ISectorIndex Index, CountingIndex Counter) Wrap(ISectorIndex inner)
    {
        var index = Create<ISectorIndex, CountingIndex>();
        var counter = (CountingIndex)(object)index;
        counter._inner = inner;
        return (index, counter);
    }

    /// <summary>One item per <c>StorageReportHealth</c> call, written once the wrapped index has recorded it.</summary>
    public Channel<StorageId> HealthReports { get; } = Channel.CreateUnbounded<StorageId>();

    public int CallsOf(string method) => Calls.GetValueOrDefault(method);

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        Calls.AddOrUpdate(targetMethod.Name, 1, (_, n) => n + 1);
        if (targetMethod.Name == nameof(ISectorIndex.StorageListAsync) && HoldStorageList is { } hold)
        {
            return HeldListAsync(hold, (CancellationToken)args![^1]!);
        }

        try
        {
            var result = targetMethod.Invoke(_inner, args);
            return targetMethod.Name == nameof(ISectorIndex.StorageReportHealthAsync)
                ? ReportedAsync((Task)result!, (StorageId)args![0]!)
                : result;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }

    private async Task ReportedAsync(Task report, StorageId id)
    {
        await report;
        HealthReports.Writer.TryWrite(id);
    }

    private async Task<IReadOnlyDictionary<Kiln.Api.Types.StorageId, IReadOnlyList<Kiln.Api.Types.Decl>>> HeldListAsync(TaskCompletionSource entered, CancellationToken ct)
    {
        entered.TrySetResult();
        try
        {
            await Task.Delay(Timeout.Infinite, ct);
        }
        catch (OperationCanceledException)
        {
            StorageListCancelled.TrySetResult();
            throw;
        }

        return await _inner.StorageListAsync(ct);
    }
}
