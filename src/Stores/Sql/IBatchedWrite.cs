using System.Data.Common;

namespace Kiln.Stores.Sql;

/// <summary>The untyped side of <see cref="BatchedWrite{T}"/>, for <see cref="GroupCommit"/>'s queue.</summary>
public interface IBatchedWrite
{
    /// <summary>Runs <paramref name="items"/> (all of this kind) in <paramref name="tx"/>.</summary>
    Task RunAsync(DbConnection c, DbTransaction tx, IReadOnlyList<object?> items);
}
