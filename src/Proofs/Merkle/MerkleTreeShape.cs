using System.Numerics;

namespace Kiln.Proofs.Merkle;

/// <summary>
/// A complete tree of <see cref="Arity"/>-ary nodes over <see cref="Leaves"/> leaves (a power of
/// the arity), rows counted from the leaves (row 0) to the root (row <see cref="Rows"/> − 1), and
/// the sizes of merkletree's stores for it (all in 32-byte nodes): a DiskStore holds every row,
/// leaves first, root last; a LevelCacheStore drops the leaf row and the rows_to_discard rows above it.
/// </summary>
public readonly record struct MerkleTreeShape
{
    /// <exception cref="ArgumentOutOfRangeException">The arity is not a power of two ≥ 2, or the leaves not a power of the arity.</exception>
    public MerkleTreeShape(long leaves, int arity)
    {
        if (arity < 2 || !BitOperations.IsPow2(arity))
        {
            throw new ArgumentOutOfRangeException(nameof(arity), arity, "the arity must be a power of two of at least 2");
        }

        var rows = 1;
        var width = 1L;
        while (width < leaves)
        {
            width *= arity;
            rows++;
        }

        if (leaves < 1 || width != leaves)
        {
            throw new ArgumentOutOfRangeException(nameof(leaves), leaves, $"a complete {arity}-ary tree needs a power of {arity} leaves");
        }

        Leaves = leaves;
        Arity = arity;
        Rows = rows;
    }

    public long Leaves { get; }

    public int Arity { get; }

    /// <summary>Rows including the leaf row and the root row (merkletree's row_count).</summary>
    public int Rows { get; }

    /// <summary>Nodes in every row together: merkletree's get_merkle_tree_len, the DiskStore length.</summary>
    public long Length => RowStart(Rows);

    /// <summary>Nodes in <paramref name="row"/> (row 0 = leaves).</summary>
    public long RowNodes(int row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Rows);
        return Leaves >> (BitOperations.Log2((uint)Arity) * row);
    }

    /// <summary>Index of the first node of <paramref name="row"/> in the DiskStore (all rows, leaves first); <see cref="Rows"/> gives the total.</summary>
    public long RowStart(int row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(row, Rows);
        long start = 0;
        for (var r = 0; r < row; r++)
        {
            start += RowNodes(r);
        }

        return start;
    }

    /// <summary>
    /// The first row a LevelCacheStore keeps: the leaf row and <paramref name="rowsToDiscard"/> rows
    /// above it are dropped. merkletree refuses to drop everything below the root.
    /// </summary>
    public int LevelCacheFirstRow(int rowsToDiscard)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rowsToDiscard);
        if (rowsToDiscard >= Rows - 1)
        {
            throw new ArgumentOutOfRangeException(nameof(rowsToDiscard), rowsToDiscard, $"a tree of {Rows} rows can discard at most {Rows - 2}");
        }

        return rowsToDiscard + 1;
    }

    /// <summary>Nodes in a LevelCacheStore file: merkletree's get_merkle_tree_cache_size.</summary>
    public long LevelCacheLength(int rowsToDiscard) => Length - RowStart(LevelCacheFirstRow(rowsToDiscard));

    /// <summary>
    /// rust-fil-proofs' default_rows_to_discard: nothing for trees of at most 2 rows, 1 for 3 rows,
    /// else at most rows − 2, capped at 7 for binary trees, 5 for quad trees and
    /// <paramref name="configured"/> (FIL_PROOFS_ROWS_TO_DISCARD, default 2) for octrees.
    /// </summary>
    public static int DefaultRowsToDiscard(long leaves, int arity, int configured = 2)
    {
        var rows = new MerkleTreeShape(leaves, arity).Rows;
        if (rows <= 2)
        {
            return 0;
        }

        if (rows == 3)
        {
            return 1;
        }

        var cap = arity switch
        {
            2 => 7,
            4 => 5,
            _ => configured,
        };
        return Math.Min(rows - 2, cap);
    }
}
