using System.Data.Common;

namespace Kiln.Stores.Sql;

/// <summary>
/// A kind of write whose items <see cref="GroupCommit"/> runs together: consecutive items of one kind in a group are
/// handed to <c>execute</c> as one list (one multi-row statement, one round trip). <c>execute</c> must give the same
/// result as running the items one after another.
/// </summary>
public sealed class BatchedWrite<T>(Func<DbConnection, DbTransaction, IReadOnlyList<T>, Task> execute) : IBatchedWrite
{
    Task IBatchedWrite.RunAsync(DbConnection c, DbTransaction tx, IReadOnlyList<object?> items) =>
        execute(c, tx, [.. items.Cast<T>()]);
}
