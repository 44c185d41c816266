using Kiln.Proofs.Fields;
using Microsoft.Win32.SafeHandles;

namespace Kiln.Proofs.Merkle;

/// <summary>
/// Builds a complete Poseidon tree from its leaves supplied in order, in chunks of any whole number
/// of nodes, so memory does not grow with the tree. Each row's nodes go to an optional store in
/// merkletree's layout: a DiskStore (every row, leaves first, root last: tree-c) or a LevelCacheStore
/// (only the rows above the leaf row and rows_to_discard more: tree-r-last). The root is ready
/// once the last leaf is in.
/// </summary>
public sealed class PoseidonTreeBuilder
{
    private readonly TreeStoreWriter? _store;
    private readonly int _firstStoredRow;
    private readonly int _maxDegreeOfParallelism;

    // Per row below the root: up to arity − 1 nodes waiting for their siblings, and parent scratch.
    private readonly byte[][] _pending;
    private readonly int[] _pendingCount;
    private readonly byte[][] _parents;
    private readonly long[] _nodesIn;
    private readonly byte[] _root = new byte[Fr.ByteLength];

    /// <summary>A builder that keeps no rows, only the root.</summary>
    public PoseidonTreeBuilder(MerkleTreeShape shape, int maxDegreeOfParallelism = 1)
        : this(shape, null, shape.Rows, maxDegreeOfParallelism)
    {
    }

    private PoseidonTreeBuilder(MerkleTreeShape shape, TreeStoreWriter? store, int firstStoredRow, int maxDegreeOfParallelism)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDegreeOfParallelism, 1);
        Shape = shape;
        _store = store;
        _firstStoredRow = firstStoredRow;
        _maxDegreeOfParallelism = maxDegreeOfParallelism;
        _pending = new byte[shape.Rows][];
        _pendingCount = new int[shape.Rows];
        _parents = new byte[shape.Rows][];
        _nodesIn = new long[shape.Rows];
        for (var row = 0; row < shape.Rows; row++)
        {
            _pending[row] = new byte[shape.Arity * Fr.ByteLength];
            _parents[row] = [];
        }
    }

    public MerkleTreeShape Shape { get; }

    /// <summary>Bytes the store receives: the DiskStore or LevelCacheStore file size.</summary>
    public long StoreBytes => _store == null ? 0 : (Shape.Length - Shape.RowStart(_firstStoredRow)) * Fr.ByteLength;

    /// <summary>Leaves appended so far.</summary>
    public long LeavesAppended => _nodesIn[0];

    /// <summary>Whether every leaf is in (the root is known).</summary>
    public bool IsComplete => _nodesIn[Shape.Rows - 1] == 1;

    /// <summary>The root, once every leaf is in.</summary>
    /// <exception cref="InvalidOperationException">Leaves are missing.</exception>
    public byte[] Root => IsComplete
        ? (byte[])_root.Clone()
        : throw new InvalidOperationException($"the tree has {LeavesAppended} of its {Shape.Leaves} leaves");

    /// <summary>A DiskStore: every row, leaves first, root last ((L + L/a + … + 1) nodes).</summary>
    public static PoseidonTreeBuilder ForDiskStore(MerkleTreeShape shape, TreeStoreWriter store, int maxDegreeOfParallelism = 1)
    {
        ArgumentNullException.ThrowIfNull(store);
        return new PoseidonTreeBuilder(shape, store, 0, maxDegreeOfParallelism);
    }

    /// <summary>A LevelCacheStore: the rows above the leaf row and <paramref name="rowsToDiscard"/> more, lowest first.</summary>
    public static PoseidonTreeBuilder ForLevelCache(MerkleTreeShape shape, int rowsToDiscard, TreeStoreWriter store, int maxDegreeOfParallelism = 1)
    {
        ArgumentNullException.ThrowIfNull(store);
        return new PoseidonTreeBuilder(shape, store, shape.LevelCacheFirstRow(rowsToDiscard), maxDegreeOfParallelism);
    }

    /// <summary>A store writing through <paramref name="handle"/> (positional writes from <paramref name="baseOffset"/>).</summary>
    public static TreeStoreWriter FileStore(SafeFileHandle handle, long baseOffset = 0)
    {
        ArgumentNullException.ThrowIfNull(handle);
        return (offset, nodes) => RandomAccess.Write(handle, nodes, baseOffset + offset);
    }

    /// <summary>A store writing into <paramref name="destination"/>.</summary>
    public static TreeStoreWriter MemoryStore(Memory<byte> destination)
        => (offset, nodes) => nodes.CopyTo(destination.Span[checked((int)offset)..]);

    /// <summary>Appends the next leaves (whole 32-byte nodes, canonical field elements).</summary>
    /// <exception cref="ProofsException">A leaf is not a canonical field element.</exception>
    public void Append(ReadOnlySpan<byte> leaves)
    {
        if (leaves.Length % Fr.ByteLength != 0)
        {
            throw new ArgumentException($"leaves are whole {Fr.ByteLength}-byte nodes, got {leaves.Length} bytes");
        }

        if (LeavesAppended + (leaves.Length / Fr.ByteLength) > Shape.Leaves)
        {
            throw new InvalidOperationException($"the tree has {Shape.Leaves} leaves; {LeavesAppended} are in and {leaves.Length / Fr.ByteLength} more were given");
        }

        Push(0, leaves);
    }

    /// <summary>Takes nodes of <paramref name="row"/> in order: stores them and hashes every completed group into the row above.</summary>
    private void Push(int row, ReadOnlySpan<byte> nodes)
    {
        if (nodes.IsEmpty)
        {
            return;
        }

        if (_store != null && row >= _firstStoredRow)
        {
            var offset = (Shape.RowStart(row) - Shape.RowStart(_firstStoredRow) + _nodesIn[row]) * Fr.ByteLength;
            _store(offset, nodes);
        }

        _nodesIn[row] += nodes.Length / Fr.ByteLength;
        if (row == Shape.Rows - 1)
        {
            nodes.CopyTo(_root);
            return;
        }

        var arity = Shape.Arity;
        var groupBytes = arity * Fr.ByteLength;
        var pending = _pending[row];
        if (_pendingCount[row] > 0)
        {
            var have = _pendingCount[row] * Fr.ByteLength;
            var take = Math.Min(groupBytes - have, nodes.Length);
            nodes[..take].CopyTo(pending.AsSpan(have));
            nodes = nodes[take..];
            _pendingCount[row] += take / Fr.ByteLength;
            if (_pendingCount[row] < arity)
            {
                return;
            }

            _pendingCount[row] = 0;
            Span<byte> parent = stackalloc byte[Fr.ByteLength];
            PoseidonTree.HashRow(pending, parent, arity);
            Push(row + 1, parent);
        }

        var whole = nodes.Length / groupBytes * groupBytes;
        if (whole > 0)
        {
            var parentBytes = whole / arity;
            if (_parents[row].Length < parentBytes)
            {
                _parents[row] = new byte[parentBytes];
            }

            var parents = _parents[row].AsSpan(0, parentBytes);
            PoseidonTree.HashRow(nodes[..whole], parents, arity, _maxDegreeOfParallelism);
            Push(row + 1, parents);
        }

        var rest = nodes[whole..];
        rest.CopyTo(pending);
        _pendingCount[row] = rest.Length / Fr.ByteLength;
    }
}
