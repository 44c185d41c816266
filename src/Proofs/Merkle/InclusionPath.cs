using Kiln.Proofs.Fields;

namespace Kiln.Proofs.Merkle;

/// <summary>
/// rust-fil-proofs' <c>InclusionPath</c>: path elements ordered from the leaf towards the root. Hashing
/// a node up through every element gives the root of the (sub)tree the path spans.
/// </summary>
public sealed class InclusionPath
{
    /// <exception cref="ArgumentNullException">An element is null.</exception>
    public InclusionPath(IReadOnlyList<PathElement> elements)
    {
        ArgumentNullException.ThrowIfNull(elements);
        long width = 1;
        long index = 0;
        foreach (var e in elements)
        {
            ArgumentNullException.ThrowIfNull(e, nameof(elements));
            index += e.Index * width;
            width = width > long.MaxValue / e.Arity ? long.MaxValue : width * e.Arity;
        }

        Elements = elements;
        PathIndex = index;
        Width = width;
    }

    /// <summary>The levels, leaf first.</summary>
    public IReadOnlyList<PathElement> Elements { get; }

    public int Count => Elements.Count;

    /// <summary>
    /// The position of the proven node among the <see cref="Width"/> leaves below the path's root:
    /// Σ index_k · (arity_0 ⋯ arity_(k−1)) (rust's <c>path_index</c>).
    /// </summary>
    public long PathIndex { get; }

    /// <summary>Leaves under the path's root: the product of the level arities.</summary>
    public long Width { get; }

    /// <summary>
    /// Hashes <paramref name="node"/> up through every level into <paramref name="root"/> (may be the same memory).
    /// False when a node is not an input of <paramref name="hasher"/> (Poseidon: not below p) or a
    /// SHA-256 level is not binary.
    /// </summary>
    public bool TryComputeRoot(MerkleHasher hasher, ReadOnlySpan<byte> node, Span<byte> root)
    {
        Span<byte> children = stackalloc byte[PathElement.MaxArity * Fr.ByteLength];
        Span<byte> running = stackalloc byte[Fr.ByteLength];
        node[..Fr.ByteLength].CopyTo(running);
        foreach (var e in Elements)
        {
            if (hasher == MerkleHasher.Sha254 && e.Arity != 2)
            {
                return false;
            }

            var group = children[..(e.Arity * Fr.ByteLength)];
            e.Assemble(running, group);
            if (!hasher.AcceptsAll(group))
            {
                return false;
            }

            hasher.HashNodes(group, running);
        }

        running.CopyTo(root);
        return true;
    }

    /// <summary>Whether every level has <paramref name="arity"/> children.</summary>
    public bool HasArity(int arity)
    {
        foreach (var e in Elements)
        {
            if (e.Arity != arity)
            {
                return false;
            }
        }

        return true;
    }
}
