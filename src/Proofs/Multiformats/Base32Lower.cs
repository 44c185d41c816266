namespace Kiln.Proofs.Multiformats;

/// <summary>RFC 4648 base32, lower-case alphabet a–z 2–7, no padding (multibase 'b').</summary>
internal static class Base32Lower
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    public static string Encode(ReadOnlySpan<byte> data)
    {
        var length = ((data.Length * 8) + 4) / 5;
        return string.Create(length, data.ToArray(), static (chars, bytes) =>
        {
            var buffer = 0;
            var bits = 0;
            var k = 0;
            foreach (var b in bytes)
            {
                buffer = (buffer << 8) | b;
                bits += 8;
                while (bits >= 5)
                {
                    bits -= 5;
                    chars[k++] = Alphabet[(buffer >> bits) & 31];
                }
            }

            if (bits > 0)
            {
                chars[k] = Alphabet[(buffer << (5 - bits)) & 31];
            }
        });
    }

    /// <summary>Decodes strictly; on failure returns null and says why.</summary>
    public static byte[]? TryDecode(ReadOnlySpan<char> text, out string? error)
    {
        var rem = text.Length % 8;
        if (rem is 1 or 3 or 6)
        {
            error = $"base32 text of {text.Length} characters has an impossible length";
            return null;
        }

        var output = new byte[text.Length * 5 / 8];
        var buffer = 0;
        var bits = 0;
        var k = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            int v;
            if (c is >= 'a' and <= 'z')
            {
                v = c - 'a';
            }
            else if (c is >= '2' and <= '7')
            {
                v = c - '2' + 26;
            }
            else
            {
                error = $"invalid base32 character '{c}' at position {i + 1}: only a–z and 2–7 are allowed";
                return null;
            }

            buffer = ((buffer << 5) | v) & 0xFFF;
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                output[k++] = (byte)(buffer >> bits);
            }
        }

        if ((buffer & ((1 << bits) - 1)) != 0)
        {
            error = "base32 text has non-zero trailing bits";
            return null;
        }

        error = null;
        return output;
    }
}
