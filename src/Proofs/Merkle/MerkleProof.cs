using Kiln.Proofs.Fields;

namespace Kiln.Proofs.Merkle;

/// <summary>
/// An inclusion proof as rust-fil-proofs writes it (<c>storage-proofs-core</c> merkle/proof.rs): a leaf,
/// the root of the whole tree, the base path within one base tree and, for compound trees, one
/// sub-tree level (<see cref="MerkleProofKind.Sub"/>) and one top level (<see cref="MerkleProofKind.Top"/>).
/// The nodes are not copied: the proof holds the memory it is given.
/// </summary>
public sealed class MerkleProof
{
    /// <exception cref="ArgumentException">Root or leaf is not 32 bytes, or a top path comes without a sub path.</exception>
    public MerkleProof(MerkleHasher hasher, ReadOnlyMemory<byte> root, ReadOnlyMemory<byte> leaf, InclusionPath basePath, InclusionPath? subPath = null, InclusionPath? topPath = null)
    {
        ArgumentNullException.ThrowIfNull(basePath);
        if (root.Length != Fr.ByteLength || leaf.Length != Fr.ByteLength)
        {
            throw new ArgumentException($"root and leaf are {Fr.ByteLength}-byte nodes, got {root.Length} and {leaf.Length} bytes");
        }

        if (topPath != null && subPath == null)
        {
            throw new ArgumentException("a top path needs a sub path", nameof(topPath));
        }

        Hasher = hasher;
        Root = root;
        Leaf = leaf;
        BasePath = basePath;
        SubPath = subPath;
        TopPath = topPath;
    }

    public MerkleHasher Hasher { get; }

    public MerkleProofKind Kind => TopPath != null ? MerkleProofKind.Top : SubPath != null ? MerkleProofKind.Sub : MerkleProofKind.Single;

    /// <summary>The root of the whole (compound) tree.</summary>
    public ReadOnlyMemory<byte> Root { get; }

    /// <summary>The proven node.</summary>
    public ReadOnlyMemory<byte> Leaf { get; }

    /// <summary>The levels within the base tree holding the leaf.</summary>
    public InclusionPath BasePath { get; }

    /// <summary>The level combining base-tree roots, when the tree has one.</summary>
    public InclusionPath? SubPath { get; }

    /// <summary>The level combining sub-tree roots, when the tree has one.</summary>
    public InclusionPath? TopPath { get; }

    /// <summary>Levels from leaf to root over all parts (the length rust's <c>path()</c> has).</summary>
    public int PathLength => BasePath.Count + (SubPath?.Count ?? 0) + (TopPath?.Count ?? 0);

    /// <summary>
    /// The leaf's index in the whole tree (rust's <c>path_index</c>): base index + base width · (sub
    /// index + sub width · top index).
    /// </summary>
    public long LeafIndex
    {
        get
        {
            long upper = 0;
            if (SubPath != null)
            {
                upper = SubPath.PathIndex + (TopPath == null ? 0 : SubPath.Width * TopPath.PathIndex);
            }

            return BasePath.PathIndex + (BasePath.Width * upper);
        }
    }

    /// <summary>Whether hashing the leaf up through every level gives <see cref="Root"/> (rust's <c>verify</c>).</summary>
    public bool Verify()
    {
        Span<byte> node = stackalloc byte[Fr.ByteLength];
        if (!BasePath.TryComputeRoot(Hasher, Leaf.Span, node)
            || (SubPath != null && !SubPath.TryComputeRoot(Hasher, node, node))
            || (TopPath != null && !TopPath.TryComputeRoot(Hasher, node, node)))
        {
            return false;
        }

        return node.SequenceEqual(Root.Span);
    }

    /// <summary>rust's <c>validate(node)</c>: the proof verifies and proves leaf <paramref name="leafIndex"/>.</summary>
    public bool Validate(long leafIndex) => Verify() && LeafIndex == leafIndex;
}
