using Kiln.Proofs.Fields;
using Kiln.Proofs.Hashing;

namespace Kiln.Proofs.Merkle;

/// <summary>
/// Poseidon Merkle trees as rust-fil-proofs builds them (merkletree with PoseidonHasher): a leaf is
/// the node itself (no leaf hashing), a parent is Poseidon_arity of its children in order, every
/// node a canonical 32-byte little-endian Fr element. tree_c and tree_r_last are arity 8 (one
/// "base" tree per tree_count range of the sector), combined by sub/top roots per shape.
/// </summary>
public static class PoseidonTree
{
    /// <summary>Groups per task below which hashing a row in parallel does not pay.</summary>
    private const int MinGroupsPerTask = 256;

    /// <summary>
    /// One row up: parents[i] = Poseidon_arity(children[arity·i …]). With
    /// <paramref name="maxDegreeOfParallelism"/> above 1 large rows are split over that many
    /// threads; parents must then not overlap children.
    /// </summary>
    /// <exception cref="ProofsException">A child is not a canonical field element.</exception>
    public static unsafe void HashRow(ReadOnlySpan<byte> children, Span<byte> parents, int arity, int maxDegreeOfParallelism = 1)
    {
        var groupBytes = arity * Fr.ByteLength;
        var groups = children.Length / groupBytes;
        var tasks = Math.Min(maxDegreeOfParallelism, groups / MinGroupsPerTask);
        if (tasks <= 1)
        {
            PoseidonHash.HashGroups(children, parents, arity);
            return;
        }

        if (children.Length % groupBytes != 0 || parents.Length < groups * Fr.ByteLength)
        {
            throw new ArgumentException($"children must be whole groups of {arity} nodes and parents must hold one node per group");
        }

        var perTask = (groups + tasks - 1) / tasks;
        fixed (byte* c = children)
        fixed (byte* p = parents)
        {
            nint from = (nint)c, to = (nint)p;
            Parallel.For(0, tasks, new ParallelOptions { MaxDegreeOfParallelism = tasks }, k =>
            {
                var first = k * perTask;
                var count = Math.Min(perTask, groups - first);
                if (count > 0)
                {
                    PoseidonHash.HashGroups(
                        new ReadOnlySpan<byte>((byte*)from + ((long)first * groupBytes), count * groupBytes),
                        new Span<byte>((byte*)to + ((long)first * Fr.ByteLength), count * Fr.ByteLength),
                        arity);
                }
            });
        }
    }

    /// <summary>The root of the complete <paramref name="arity"/>-ary tree over <paramref name="leaves"/> (32-byte nodes).</summary>
    public static byte[] Root(ReadOnlySpan<byte> leaves, int arity)
    {
        var builder = new PoseidonTreeBuilder(new MerkleTreeShape(leaves.Length / Fr.ByteLength, arity));
        builder.Append(leaves);
        return builder.Root;
    }

    /// <summary>
    /// The root of a sector's tree from its base-tree roots, as merkletree's from_trees /
    /// from_sub_trees combine them: no sub arity → the single base root; a sub arity S alone →
    /// Poseidon_S over the S base roots; sub S and top T → Poseidon_T over the T roots of S
    /// consecutive base roots each (comm_c and comm_r_last of the 4 KiB…64 GiB shapes).
    /// </summary>
    public static byte[] CombineRoots(ReadOnlySpan<byte> baseRoots, int subArity, int topArity)
    {
        var count = baseRoots.Length / Fr.ByteLength;
        var expected = subArity == 0 ? 1 : topArity == 0 ? subArity : subArity * topArity;
        if (baseRoots.Length % Fr.ByteLength != 0 || count != expected || (subArity == 0 && topArity != 0))
        {
            throw new ArgumentException($"a ({subArity}, {topArity}) shape combines {expected} base roots, got {baseRoots.Length / (double)Fr.ByteLength}");
        }

        var root = new byte[Fr.ByteLength];
        if (subArity == 0)
        {
            baseRoots.CopyTo(root);
            return root;
        }

        if (topArity == 0)
        {
            PoseidonHash.HashGroups(baseRoots, root, subArity);
            return root;
        }

        Span<byte> subRoots = stackalloc byte[topArity * Fr.ByteLength];
        PoseidonHash.HashGroups(baseRoots, subRoots, subArity);
        PoseidonHash.HashGroups(subRoots, root, topArity);
        return root;
    }
}
