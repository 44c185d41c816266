using Kiln.Proofs.Fields;
using Kiln.Proofs.Sdr;
using Microsoft.Win32.SafeHandles;

namespace Kiln.Proofs.Merkle;

/// <summary>
/// A tree whose merkletree DiskStore holds every row, leaves first and root last (tree_c base trees,
/// tree_d): a proof reads one group of arity nodes per row.
/// </summary>
public sealed class DiskStoreTree : StoredTree
{
    private readonly SafeFileHandle _store;

    private DiskStoreTree(SafeFileHandle store, MerkleTreeShape shape, MerkleHasher hasher, string path, string what)
        : base(shape, hasher, path, what)
    {
        _store = store;
    }

    /// <summary>
    /// Opens the DiskStore file <paramref name="path"/> of a tree of <paramref name="shape"/> hashed
    /// with <paramref name="hasher"/>; <paramref name="what"/> names the tree in messages ("tree-c", "tree-d").
    /// </summary>
    /// <exception cref="ProofsException">The file is missing or not exactly the store's size.</exception>
    public static DiskStoreTree Open(string path, MerkleTreeShape shape, MerkleHasher hasher, string what = "tree")
        => OpenStore(path, what, shape.Length * Fr.ByteLength, store => new DiskStoreTree(store, shape, hasher, path, what));

    /// <summary>Opens a sector's tree_d: <c>sc-02-data-tree-d.dat</c>, the sha256-trunc254 binary DiskStore over its nodes (comm_d is its root).</summary>
    /// <exception cref="ProofsException">The file is missing or not exactly 2·nodes − 1 nodes.</exception>
    public static DiskStoreTree OpenTreeD(string cacheDir, ulong sectorSize)
        => Open(CacheFiles.TreeD(cacheDir), new MerkleTreeShape((long)(sectorSize / Fr.ByteLength), 2), MerkleHasher.Sha254, CacheFiles.TreeDId);

    private protected override void FillPath(long leafIndex, Span<byte> leaf, Span<byte> hashes, Span<int> indexes)
        => FillFromStore(_store, 0, leafIndex, 0, leaf, hashes, indexes);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _store.Dispose();
        }

        base.Dispose(disposing);
    }
}
