using System.Buffers;
using Kiln.Proofs.Fields;
using Microsoft.Win32.SafeHandles;

namespace Kiln.Proofs.Merkle;

/// <summary>
/// A tree kept as merkletree's LevelCacheStore (tree_r_last): its file holds only the rows above the
/// leaf row and rows_to_discard more, the leaves are the replica's nodes. A proof rebuilds the
/// discarded rows of the one subtree that holds the leaf — arity^(rows_to_discard + 1) replica nodes
/// read in one piece and hashed up, as merkletree's <c>gen_cached_proof</c> does — and reads the
/// levels above from the file.
/// </summary>
public sealed class LevelCacheTree : StoredTree
{
    private readonly SafeFileHandle _store;
    private readonly SafeFileHandle _replica;
    private readonly bool _ownsReplica;
    private readonly string _replicaPath;
    private readonly long _replicaOffset;
    private readonly int _firstStoredRow;
    private readonly long _subtreeLeaves;

    private LevelCacheTree(SafeFileHandle store, SafeFileHandle replica, bool ownsReplica, string replicaPath, long replicaOffset, MerkleTreeShape shape, int rowsToDiscard, MerkleHasher hasher, string path, string what)
        : base(shape, hasher, path, what)
    {
        _store = store;
        _replica = replica;
        _ownsReplica = ownsReplica;
        _replicaPath = replicaPath;
        _replicaOffset = replicaOffset;
        RowsToDiscard = rowsToDiscard;
        _firstStoredRow = shape.LevelCacheFirstRow(rowsToDiscard);
        _subtreeLeaves = shape.Leaves / shape.RowNodes(_firstStoredRow);
    }

    /// <summary>Rows above the leaf row that the file leaves out.</summary>
    public int RowsToDiscard { get; }

    /// <summary>
    /// Opens the LevelCacheStore <paramref name="path"/> of a tree of <paramref name="shape"/> whose
    /// leaves are the nodes of <paramref name="replicaPath"/> from byte <paramref name="replicaOffset"/>.
    /// </summary>
    /// <exception cref="ProofsException">A file is missing, or the store is not exactly its size, or the replica too short.</exception>
    public static LevelCacheTree Open(string path, string replicaPath, MerkleTreeShape shape, int rowsToDiscard, long replicaOffset = 0, MerkleHasher hasher = MerkleHasher.Poseidon, string what = "tree-r-last")
    {
        ArgumentNullException.ThrowIfNull(replicaPath);
        var replica = StoreFile.OpenRead(replicaPath, "replica");
        try
        {
            StoreFile.CheckLength(replica, replicaPath, "replica", replicaOffset + (shape.Leaves * Fr.ByteLength), atLeast: true);
            return Open(path, replica, true, replicaPath, shape, rowsToDiscard, replicaOffset, hasher, what);
        }
        catch
        {
            replica.Dispose();
            throw;
        }
    }

    /// <summary>As <see cref="Open(string, string, MerkleTreeShape, int, long, MerkleHasher, string)"/> over a replica handle the caller keeps and has checked.</summary>
    internal static LevelCacheTree Open(string path, SafeFileHandle replica, bool ownsReplica, string replicaPath, MerkleTreeShape shape, int rowsToDiscard, long replicaOffset, MerkleHasher hasher, string what)
        => OpenStore(path, what, shape.LevelCacheLength(rowsToDiscard) * Fr.ByteLength, store => new LevelCacheTree(store, replica, ownsReplica, replicaPath, replicaOffset, shape, rowsToDiscard, hasher, path, what));

    private protected override void FillPath(long leafIndex, Span<byte> leaf, Span<byte> hashes, Span<int> indexes)
    {
        var arity = Shape.Arity;
        var width = _subtreeLeaves;
        var start = leafIndex - (leafIndex % width);

        // The discarded rows of the leaf's subtree, leaves first: width + width/arity + … + arity nodes.
        var rowsBytes = 0L;
        for (var n = width; n >= arity; n /= arity)
        {
            rowsBytes += n * Fr.ByteLength;
        }

        var rented = ArrayPool<byte>.Shared.Rent(checked((int)rowsBytes));
        try
        {
            var rows = rented.AsSpan(0, (int)rowsBytes);
            var row = rows[..(int)(width * Fr.ByteLength)];
            StoreFile.ReadExactly(_replica, row, _replicaOffset + (start * Fr.ByteLength), _replicaPath, "replica");
            var position = leafIndex - start;
            var offset = 0;
            for (var level = 0; level < _firstStoredRow; level++)
            {
                var first = position - (position % arity);
                indexes[level] = (int)(position - first);
                var group = row.Slice((int)(first * Fr.ByteLength), arity * Fr.ByteLength);
                TakeSiblings(group, indexes[level], hashes, level);
                if (level == 0)
                {
                    group.Slice(indexes[0] * Fr.ByteLength, Fr.ByteLength).CopyTo(leaf);
                }

                if (level + 1 < _firstStoredRow)
                {
                    offset += row.Length;
                    var parents = rows.Slice(offset, row.Length / arity);
                    Hasher.HashRow(row, parents, arity);
                    row = parents;
                }

                position /= arity;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        FillFromStore(_store, Shape.RowStart(_firstStoredRow), leafIndex, _firstStoredRow, leaf, hashes, indexes);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _store.Dispose();
            if (_ownsReplica)
            {
                _replica.Dispose();
            }
        }

        base.Dispose(disposing);
    }
}
