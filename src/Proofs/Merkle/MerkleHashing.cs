using Kiln.Proofs.Fields;
using Kiln.Proofs.Hashing;

namespace Kiln.Proofs.Merkle;

/// <summary>Parent nodes from children for either tree hash, as merkletree's <c>multi_node</c> computes them.</summary>
internal static class MerkleHashing
{
    /// <summary>parent = H(children), <paramref name="children"/> holding exactly one group of arity nodes.</summary>
    /// <exception cref="ProofsException">A Poseidon input is not a canonical field element.</exception>
    public static void HashNodes(this MerkleHasher hasher, ReadOnlySpan<byte> children, Span<byte> parent)
    {
        if (hasher == MerkleHasher.Sha254)
        {
            if (children.Length != 2 * Fr.ByteLength)
            {
                throw new ArgumentException($"sha256-trunc254 trees are binary; got {children.Length / Fr.ByteLength} children");
            }

            Sha254.HashPair(children[..Fr.ByteLength], children[Fr.ByteLength..], parent);
            return;
        }

        PoseidonHash.HashGroups(children, parent, children.Length / Fr.ByteLength);
    }

    /// <summary>One row up: one parent per consecutive group of <paramref name="arity"/> children.</summary>
    /// <exception cref="ProofsException">A Poseidon input is not a canonical field element.</exception>
    public static void HashRow(this MerkleHasher hasher, ReadOnlySpan<byte> children, Span<byte> parents, int arity)
    {
        if (hasher == MerkleHasher.Sha254)
        {
            if (arity != 2)
            {
                throw new ArgumentException($"sha256-trunc254 trees are binary; arity {arity} asked");
            }

            Sha254.HashPairs(children, parents);
            return;
        }

        PoseidonTree.HashRow(children, parents, arity);
    }

    /// <summary>Whether every 32-byte node of <paramref name="nodes"/> is an input the hash accepts (Poseidon: below p).</summary>
    public static bool AcceptsAll(this MerkleHasher hasher, ReadOnlySpan<byte> nodes)
    {
        if (hasher == MerkleHasher.Sha254)
        {
            return true;
        }

        for (var i = 0; i + Fr.ByteLength <= nodes.Length; i += Fr.ByteLength)
        {
            if (!Fr.TryFromBytes(nodes.Slice(i, Fr.ByteLength), out _))
            {
                return false;
            }
        }

        return true;
    }
}
