using System.Numerics;

namespace Kiln.Proofs.Pieces;

/// <summary>A piece size before Fr32 padding; valid sizes are 127·2^k bytes (go-state-types abi).</summary>
public readonly record struct UnpaddedPieceSize(ulong Value)
{
    /// <summary>Whether the size is 127·2^k with k ≥ 0.</summary>
    public bool IsValid => Value >= 127 && (Value >> BitOperations.TrailingZeroCount(Value)) == 127;

    /// <summary>Throws a <see cref="ProofsException"/> unless the size is 127·2^k.</summary>
    public void Validate()
    {
        if (Value < 127)
        {
            throw new ProofsException($"piece size {Value} is below the minimum of 127 bytes");
        }

        if (!IsValid)
        {
            throw new ProofsException($"piece size {Value} is not 127·2^k");
        }
    }

    /// <summary>Go's <c>Padded()</c>: u + u/127.</summary>
    public PaddedPieceSize Padded() => new(Value + (Value / 127));

    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
