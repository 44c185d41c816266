using System.Numerics;
using Kiln.Proofs.Fields;
using Microsoft.Win32.SafeHandles;

namespace Kiln.Proofs.Merkle;

/// <summary>
/// One complete tree read from merkletree's store files, able to produce inclusion proofs of its
/// leaves: <see cref="DiskStoreTree"/> (every row on disk: tree_c, tree_d) or
/// <see cref="LevelCacheTree"/> (upper rows on disk, leaves in the replica: tree_r_last). Reads are
/// positional, so one tree serves concurrent proofs.
/// </summary>
public abstract class StoredTree : IDisposable
{
    private readonly byte[] _root = new byte[Fr.ByteLength];

    private protected StoredTree(MerkleTreeShape shape, MerkleHasher hasher, string path, string what)
    {
        if (hasher == MerkleHasher.Sha254 && shape.Arity != 2)
        {
            throw new ArgumentException($"sha256-trunc254 trees are binary; the shape has arity {shape.Arity}", nameof(hasher));
        }

        Shape = shape;
        Hasher = hasher;
        Path = path;
        What = what;
    }

    public MerkleTreeShape Shape { get; }

    public MerkleHasher Hasher { get; }

    /// <summary>The store file the tree's rows come from.</summary>
    public string Path { get; }

    /// <summary>The tree's root (the last node of its store file).</summary>
    public ReadOnlySpan<byte> Root => _root;

    /// <summary>What the tree is, for messages ("tree-c", "tree-r-last").</summary>
    private protected string What { get; }

    /// <summary>Bytes of the sibling nodes of one path (leaf row to the row under the root).</summary>
    internal int PathHashBytes => (Shape.Rows - 1) * (Shape.Arity - 1) * Fr.ByteLength;

    /// <summary>An inclusion proof of leaf <paramref name="leafIndex"/> (a Single proof; its root is this tree's).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The tree has no such leaf.</exception>
    /// <exception cref="ProofsException">A file ends early, or a leaf hashed to rebuild discarded rows is not a field element.</exception>
    public MerkleProof GenerateProof(long leafIndex)
    {
        var nodes = new byte[(2 * Fr.ByteLength) + PathHashBytes];
        _root.CopyTo(nodes, 0);
        var path = ReadPath(leafIndex, nodes.AsMemory(Fr.ByteLength, Fr.ByteLength), nodes.AsMemory(2 * Fr.ByteLength));
        return new MerkleProof(Hasher, nodes.AsMemory(0, Fr.ByteLength), nodes.AsMemory(Fr.ByteLength, Fr.ByteLength), path);
    }

    /// <summary>
    /// Writes the leaf into <paramref name="leaf"/> and the path's sibling nodes into
    /// <paramref name="hashes"/> (<see cref="PathHashBytes"/>); returns the path over that memory.
    /// </summary>
    internal InclusionPath ReadPath(long leafIndex, Memory<byte> leaf, Memory<byte> hashes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(leafIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(leafIndex, Shape.Leaves);
        var levels = Shape.Rows - 1;
        Span<int> indexes = stackalloc int[levels];
        FillPath(leafIndex, leaf.Span, hashes.Span[..PathHashBytes], indexes);
        var siblingBytes = (Shape.Arity - 1) * Fr.ByteLength;
        var elements = new PathElement[levels];
        for (var row = 0; row < levels; row++)
        {
            elements[row] = new PathElement(hashes.Slice(row * siblingBytes, siblingBytes), indexes[row]);
        }

        return new InclusionPath(elements);
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Fills the leaf, the siblings of every level (leaf row first) and the leaf's ancestors' positions in their groups.</summary>
    private protected abstract void FillPath(long leafIndex, Span<byte> leaf, Span<byte> hashes, Span<int> indexes);

    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>
    /// Opens the store file <paramref name="path"/>, checks it is <paramref name="storeBytes"/> long,
    /// makes the tree over it and reads its root (the file's last node); the tree owns the handle.
    /// </summary>
    /// <exception cref="ProofsException">The file is missing or not exactly the store's size.</exception>
    private protected static T OpenStore<T>(string path, string what, long storeBytes, Func<SafeFileHandle, T> create)
        where T : StoredTree
    {
        ArgumentNullException.ThrowIfNull(path);
        var store = StoreFile.OpenRead(path, what);
        try
        {
            StoreFile.CheckLength(store, path, what, storeBytes);
            var tree = create(store);
            StoreFile.ReadExactly(store, tree._root, storeBytes - Fr.ByteLength, path, what);
            return tree;
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Path levels <paramref name="fromRow"/> … Rows − 2 read from <paramref name="store"/>, whose first
    /// node is node <paramref name="storeStart"/> of the all-rows layout (0 for a DiskStore): for each
    /// row the group of arity nodes holding the leaf's ancestor. With <paramref name="fromRow"/> 0 the
    /// leaf itself comes from the first group.
    /// </summary>
    private protected void FillFromStore(SafeFileHandle store, long storeStart, long leafIndex, int fromRow, Span<byte> leaf, Span<byte> hashes, Span<int> indexes)
    {
        var arity = Shape.Arity;
        var shift = BitOperations.Log2((uint)arity);
        Span<byte> group = stackalloc byte[arity * Fr.ByteLength];
        for (var row = fromRow; row < Shape.Rows - 1; row++)
        {
            var position = leafIndex >> (shift * row);
            var first = position & ~(long)(arity - 1);
            StoreFile.ReadExactly(store, group, (Shape.RowStart(row) - storeStart + first) * Fr.ByteLength, Path, What);
            indexes[row] = (int)(position - first);
            TakeSiblings(group, indexes[row], hashes, row);
            if (row == 0)
            {
                group.Slice(indexes[0] * Fr.ByteLength, Fr.ByteLength).CopyTo(leaf);
            }
        }
    }

    /// <summary>Copies the group's nodes but the one at <paramref name="index"/> into level <paramref name="level"/> of <paramref name="hashes"/>.</summary>
    private protected void TakeSiblings(ReadOnlySpan<byte> group, int index, Span<byte> hashes, int level)
    {
        var siblingBytes = (Shape.Arity - 1) * Fr.ByteLength;
        PathElement.CopySiblings(group, index, hashes.Slice(level * siblingBytes, siblingBytes));
    }
}
