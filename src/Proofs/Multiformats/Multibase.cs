using System.Diagnostics.CodeAnalysis;
using System.Numerics;

namespace Kiln.Proofs.Multiformats;

/// <summary>
/// The multibase text forms of a binary CID that go-cid reads (go-cid <c>Decode</c>, go-multibase): base32
/// lower-case <c>b…</c> (what go-cid writes for CIDv1), base32 upper-case <c>B…</c>, base58btc <c>z…</c>, and a
/// bare base58btc CIDv0 <c>Qm…</c> (46 characters, no prefix).
/// </summary>
public static class Multibase
{
    private const string Base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    /// <summary>go-cid <c>Cid.String()</c> of a CIDv1: <c>'b'</c> and the bytes in base32 lower-case, unpadded.</summary>
    public static string EncodeBase32Lower(ReadOnlySpan<byte> bytes) => "b" + Base32Lower.Encode(bytes);

    /// <summary>Decodes CID text to its bytes; on failure returns false and says why in <paramref name="error"/>.</summary>
    public static bool TryDecode(
        [NotNullWhen(true)] string? text,
        [NotNullWhen(true)] out byte[]? bytes,
        [NotNullWhen(false)] out string? error)
    {
        bytes = null;
        if (string.IsNullOrEmpty(text))
        {
            error = "empty text";
            return false;
        }

        if (text.Length == 46 && text.StartsWith("Qm", StringComparison.Ordinal))
        {
            bytes = TryDecodeBase58(text, out error);
            return bytes is not null;
        }

        bytes = text[0] switch
        {
            'b' => Base32Lower.TryDecode(text.AsSpan(1), out error),
            'B' => Base32Lower.TryDecode(text[1..].ToLowerInvariant(), out error),
            'z' => TryDecodeBase58(text.AsSpan(1), out error),
            _ => Unsupported(text[0], out error),
        };
        return bytes is not null;
    }

    private static byte[]? Unsupported(char prefix, out string? error)
    {
        error = $"multibase prefix '{prefix}' is not one a CID is written in (b, B, z)";
        return null;
    }

    /// <summary>Bitcoin's base58: leading '1's are zero bytes, the rest one big-endian number.</summary>
    private static byte[]? TryDecodeBase58(ReadOnlySpan<char> text, out string? error)
    {
        var zeros = 0;
        while (zeros < text.Length && text[zeros] == '1')
        {
            zeros++;
        }

        var value = BigInteger.Zero;
        for (var i = zeros; i < text.Length; i++)
        {
            var digit = Base58Alphabet.IndexOf(text[i], StringComparison.Ordinal);
            if (digit < 0)
            {
                error = $"invalid base58btc character '{text[i]}' at position {i + 1}";
                return null;
            }

            value = (value * 58) + digit;
        }

        var tail = value.IsZero ? [] : value.ToByteArray(isUnsigned: true, isBigEndian: true);
        var bytes = new byte[zeros + tail.Length];
        tail.CopyTo(bytes.AsSpan(zeros));
        error = null;
        return bytes;
    }
}
