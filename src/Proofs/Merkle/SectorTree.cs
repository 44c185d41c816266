using Kiln.Proofs.Fields;
using Kiln.Proofs.Sdr;
using Microsoft.Win32.SafeHandles;

namespace Kiln.Proofs.Merkle;

/// <summary>
/// A sector's tree_c or tree_r_last as merkletree's compound trees see it: <see cref="SectorTreeShape.TreeCount"/>
/// base trees over consecutive ranges of the sector's nodes, under a sub root per group of sub-arity
/// base trees and a top root over the sub roots, as the shape has them. Its proofs are Single, Sub or
/// Top accordingly; their root is the sector's comm_c or comm_r_last.
/// </summary>
public sealed class SectorTree : IDisposable
{
    private readonly StoredTree[] _trees;
    private readonly SafeFileHandle? _replica;
    private readonly byte[] _baseRoots;
    private readonly byte[] _subRoots;
    private readonly byte[] _root;

    private SectorTree(SectorTreeShape shape, StoredTree[] trees, SafeFileHandle? replica)
    {
        Shape = shape;
        _trees = trees;
        _replica = replica;
        _baseRoots = new byte[trees.Length * Fr.ByteLength];
        for (var i = 0; i < trees.Length; i++)
        {
            trees[i].Root.CopyTo(_baseRoots.AsSpan(i * Fr.ByteLength));
        }

        _subRoots = shape.TopArity > 0 ? new byte[shape.TopArity * Fr.ByteLength] : [];
        if (shape.TopArity > 0)
        {
            PoseidonTree.HashRow(_baseRoots, _subRoots, shape.SubArity);
        }

        _root = PoseidonTree.CombineRoots(_baseRoots, shape.SubArity, shape.TopArity);
    }

    public SectorTreeShape Shape { get; }

    /// <summary>The base trees, in sector order.</summary>
    public IReadOnlyList<StoredTree> BaseTrees => _trees;

    /// <summary>The combined root: comm_r_last or comm_c.</summary>
    public ReadOnlySpan<byte> Root => _root;

    /// <summary>
    /// Opens tree_r_last: the LevelCacheStores <c>sc-02-data-tree-r-last[-i].dat</c> in
    /// <paramref name="cacheDir"/> (rows_to_discard per the shape) over the replica's nodes.
    /// </summary>
    /// <exception cref="ProofsException">A tree file or the replica is missing or has the wrong size.</exception>
    public static SectorTree OpenTreeRLast(SectorTreeShape shape, string cacheDir, string replicaPath)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(replicaPath);
        var replica = StoreFile.OpenRead(replicaPath, "replica");
        var trees = new List<StoredTree>(shape.TreeCount);
        try
        {
            StoreFile.CheckLength(replica, replicaPath, "replica", (long)shape.SectorSize, atLeast: true);
            var baseBytes = shape.BaseLeaves * Fr.ByteLength;
            for (var i = 0; i < shape.TreeCount; i++)
            {
                var path = CacheFiles.TreeRLast(cacheDir, shape, i);
                trees.Add(LevelCacheTree.Open(path, replica, false, replicaPath, shape.Base, shape.RowsToDiscard, i * baseBytes, MerkleHasher.Poseidon, CacheFiles.TreeRLastId));
            }

            return new SectorTree(shape, [.. trees], replica);
        }
        catch
        {
            trees.ForEach(t => t.Dispose());
            replica.Dispose();
            throw;
        }
    }

    /// <summary>Opens tree_c: the DiskStores <c>sc-02-data-tree-c[-i].dat</c> in <paramref name="cacheDir"/>.</summary>
    /// <exception cref="ProofsException">A tree file is missing or has the wrong size.</exception>
    public static SectorTree OpenTreeC(SectorTreeShape shape, string cacheDir)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var trees = new List<StoredTree>(shape.TreeCount);
        try
        {
            for (var i = 0; i < shape.TreeCount; i++)
            {
                trees.Add(DiskStoreTree.Open(CacheFiles.TreeC(cacheDir, shape, i), shape.Base, MerkleHasher.Poseidon, CacheFiles.TreeCId));
            }

            return new SectorTree(shape, [.. trees], null);
        }
        catch
        {
            trees.ForEach(t => t.Dispose());
            throw;
        }
    }

    /// <summary>An inclusion proof of sector node <paramref name="leafIndex"/> up to <see cref="Root"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The sector has no such node.</exception>
    /// <exception cref="ProofsException">A file is short or its nodes are not field elements.</exception>
    public MerkleProof GenerateProof(long leafIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(leafIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(leafIndex, (long)Shape.Nodes);
        var treeIndex = (int)(leafIndex / Shape.BaseLeaves);
        var tree = _trees[treeIndex];
        if (Shape.SubArity == 0)
        {
            return tree.GenerateProof(leafIndex);
        }

        // One buffer for the whole proof: root, leaf, base siblings, sub siblings, top siblings.
        var subBytes = (Shape.SubArity - 1) * Fr.ByteLength;
        var topBytes = Shape.TopArity > 0 ? (Shape.TopArity - 1) * Fr.ByteLength : 0;
        var nodes = new byte[(2 * Fr.ByteLength) + tree.PathHashBytes + subBytes + topBytes];
        _root.CopyTo(nodes, 0);
        var root = nodes.AsMemory(0, Fr.ByteLength);
        var leaf = nodes.AsMemory(Fr.ByteLength, Fr.ByteLength);
        var at = 2 * Fr.ByteLength;
        var basePath = tree.ReadPath(leafIndex % Shape.BaseLeaves, leaf, nodes.AsMemory(at, tree.PathHashBytes));
        at += tree.PathHashBytes;

        var subGroup = treeIndex / Shape.SubArity;
        var subPath = Level(_baseRoots.AsSpan(subGroup * Shape.SubArity * Fr.ByteLength, Shape.SubArity * Fr.ByteLength), treeIndex % Shape.SubArity, nodes.AsMemory(at, subBytes));
        if (Shape.TopArity == 0)
        {
            return new MerkleProof(MerkleHasher.Poseidon, root, leaf, basePath, subPath);
        }

        var topPath = Level(_subRoots, subGroup, nodes.AsMemory(at + subBytes, topBytes));
        return new MerkleProof(MerkleHasher.Poseidon, root, leaf, basePath, subPath, topPath);
    }

    public void Dispose()
    {
        foreach (var t in _trees)
        {
            t.Dispose();
        }

        _replica?.Dispose();
    }

    /// <summary>A one-level path over <paramref name="group"/>'s roots: all but <paramref name="index"/> as siblings.</summary>
    private static InclusionPath Level(ReadOnlySpan<byte> group, int index, Memory<byte> siblings)
    {
        PathElement.CopySiblings(group, index, siblings.Span);
        return new InclusionPath([new PathElement(siblings, index)]);
    }
}
