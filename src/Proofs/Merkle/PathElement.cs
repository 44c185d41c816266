using System.Numerics;
using Kiln.Proofs.Fields;

namespace Kiln.Proofs.Merkle;

/// <summary>
/// One level of an inclusion path (rust-fil-proofs' <c>PathElement</c>): the arity − 1 sibling
/// nodes in their order and the position (0 … arity − 1) the running hash takes among them.
/// </summary>
public sealed class PathElement
{
    /// <summary>The widest level Kiln accepts (neptune's tree arities are 2, 4, 8 and 16).</summary>
    public const int MaxArity = 16;

    /// <param name="hashes">The siblings, (arity − 1) · 32 bytes; the element keeps this memory, it does not copy it.</param>
    /// <param name="index">Where the running hash goes among the siblings.</param>
    /// <exception cref="ArgumentException">The siblings do not make a power-of-two arity of 2 … 16, or the index is outside it.</exception>
    public PathElement(ReadOnlyMemory<byte> hashes, int index)
    {
        var arity = (hashes.Length / Fr.ByteLength) + 1;
        if (hashes.Length % Fr.ByteLength != 0 || !IsSupportedArity(arity))
        {
            throw new ArgumentException($"a path element holds arity − 1 sibling nodes for an arity of 2, 4, 8 or 16; got {hashes.Length} bytes", nameof(hashes));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, arity);
        Hashes = hashes;
        Index = index;
    }

    /// <summary>The sibling nodes, 32 bytes each, in tree order without the running hash.</summary>
    public ReadOnlyMemory<byte> Hashes { get; }

    /// <summary>Position of the running hash among the arity children.</summary>
    public int Index { get; }

    public int Arity => (Hashes.Length / Fr.ByteLength) + 1;

    /// <summary>Whether a level of <paramref name="arity"/> children can appear in a path.</summary>
    public static bool IsSupportedArity(int arity) => arity is >= 2 and <= MaxArity && BitOperations.IsPow2(arity);

    /// <summary>Copies the nodes of <paramref name="group"/> but the one at <paramref name="index"/>: the siblings an element holds.</summary>
    internal static void CopySiblings(ReadOnlySpan<byte> group, int index, Span<byte> siblings)
    {
        var split = index * Fr.ByteLength;
        group[..split].CopyTo(siblings);
        group[(split + Fr.ByteLength)..].CopyTo(siblings[split..]);
    }

    /// <summary>The arity children of this level: the siblings with <paramref name="node"/> inserted at <see cref="Index"/>.</summary>
    internal void Assemble(ReadOnlySpan<byte> node, Span<byte> children)
    {
        var split = Index * Fr.ByteLength;
        var siblings = Hashes.Span;
        siblings[..split].CopyTo(children);
        node.CopyTo(children[split..]);
        siblings[split..].CopyTo(children[(split + Fr.ByteLength)..]);
    }
}
