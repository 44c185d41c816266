using System.Numerics;

namespace Kiln.Proofs.Pieces;

/// <summary>A piece size after Fr32 padding; valid sizes are powers of two from 128 bytes (go-state-types abi).</summary>
public readonly record struct PaddedPieceSize(ulong Value)
{
    /// <summary>Whether the size is a power of two of at least 128.</summary>
    public bool IsValid => Value >= 128 && BitOperations.IsPow2(Value);

    /// <summary>log2(size/32): the height of the piece's node tree.</summary>
    public int TreeHeight => BitOperations.Log2(Value) - 5;

    /// <summary>Throws a <see cref="ProofsException"/> unless the size is a power of two ≥ 128.</summary>
    public void Validate()
    {
        if (Value < 128)
        {
            throw new ProofsException($"padded piece size {Value} is below the minimum of 128 bytes");
        }

        if (!BitOperations.IsPow2(Value))
        {
            throw new ProofsException($"padded piece size {Value} is not a power of two");
        }
    }

    /// <summary>Go's <c>Unpadded()</c>: p − p/128.</summary>
    public UnpaddedPieceSize Unpadded() => new(Value - (Value / 128));

    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
