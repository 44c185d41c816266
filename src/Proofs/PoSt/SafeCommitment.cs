using Kiln.Proofs.Fields;

namespace Kiln.Proofs.PoSt;

/// <summary>filecoin-proofs' <c>as_safe_commitment</c>: 32 bytes that are the canonical encoding of a field element.</summary>
internal static class SafeCommitment
{
    /// <exception cref="ProofsException">Not 32 bytes, or a value not below the field modulus.</exception>
    public static Fr Check(ReadOnlySpan<byte> value, string name)
    {
        if (value.Length != Fr.ByteLength)
        {
            throw new ProofsException($"Invalid commitment ({name}): {value.Length} bytes, expected {Fr.ByteLength}");
        }

        if (!Fr.TryFromBytes(value, out var element))
        {
            throw new ProofsException($"Invalid commitment ({name}): {Convert.ToHexStringLower(value)} is not below the field modulus (Lotus clears the two top bits of byte 31 first)");
        }

        return element;
    }
}
