using System.Security.Cryptography;
using Kiln.Proofs.Interop;

namespace Kiln.Proofs.Hashing;

/// <summary>
/// sha256-trunc254: SHA-256 with the two top bits of byte 31 cleared, the node hash of
/// Filecoin's binary merkle trees (commP, tree_d) and of SDR labels.
/// </summary>
public static unsafe class Sha254
{
    /// <summary>Nodes hashed per native call; bounds the time between cancellation checks of callers.</summary>
    private const int Batch = 1 << 16;

    /// <summary>Whether the SHA-NI kernel is in use.</summary>
    public static bool IsNative => KilnNative.IsAvailable;

    /// <summary>out = trunc254(SHA-256(left || right)).</summary>
    public static void HashPair(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, Span<byte> output)
    {
        Span<byte> buf = stackalloc byte[64];
        left[..32].CopyTo(buf);
        right[..32].CopyTo(buf[32..]);
        SHA256.HashData(buf, output);
        output[31] &= 0x3F;
    }

    /// <summary>
    /// Hashes consecutive 64-byte pairs: output[32 i..] = trunc254(SHA-256(input[64 i .. 64 i + 64])).
    /// output may overlap input when it starts at or before it (in-place level reduction).
    /// </summary>
    public static void HashPairs(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (input.Length % 64 != 0 || output.Length < input.Length / 2)
        {
            throw new ArgumentException("input must be whole 64-byte pairs and output must hold one node per pair");
        }

        var count = input.Length / 64;
        if (KilnNative.IsAvailable)
        {
            fixed (byte* i = input)
            fixed (byte* o = output)
            {
                for (var done = 0; done < count; done += Batch)
                {
                    var n = Math.Min(Batch, count - done);
                    KilnNative.kiln_sha254_pairs(i + (64L * done), o + (32L * done), (nuint)n);
                }
            }

            return;
        }

        Span<byte> digest = stackalloc byte[32];
        for (var k = 0; k < count; k++)
        {
            SHA256.HashData(input.Slice(64 * k, 64), digest);
            digest[31] &= 0x3F;
            digest.CopyTo(output.Slice(32 * k, 32));
        }
    }

    /// <summary>trunc254(SHA-256(data)) of any message.</summary>
    public static void Hash(ReadOnlySpan<byte> data, Span<byte> output)
    {
        SHA256.HashData(data, output);
        output[31] &= 0x3F;
    }
}
