namespace Kiln.Testing.Chain;

/// <summary>RFC 4648 base32, lower-case alphabet, no padding: the encoding of Filecoin address text and of multibase 'b' CIDs.</summary>
public static class Base32Lower
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    public static string Encode(ReadOnlySpan<byte> data)
    {
        var chars = new char[(data.Length * 8 + 4) / 5];
        int buffer = 0, bits = 0, n = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                chars[n++] = Alphabet[(buffer >> (bits - 5)) & 31];
                bits -= 5;
            }
        }

        if (bits > 0)
        {
            chars[n++] = Alphabet[(buffer << (5 - bits)) & 31];
        }

        return new string(chars, 0, n);
    }

    /// <exception cref="FormatException">A character outside the alphabet, or non-zero padding bits.</exception>
    public static byte[] Decode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bytes = new List<byte>(text.Length * 5 / 8);
        int buffer = 0, bits = 0;
        foreach (var c in text)
        {
            var v = Alphabet.IndexOf(c, StringComparison.Ordinal);
            if (v < 0)
            {
                throw new FormatException($"'{c}' is not a base32 (lower case) character in \"{text}\"");
            }

            buffer = ((buffer << 5) | v) & 0xfff;
            bits += 5;
            if (bits >= 8)
            {
                bytes.Add((byte)(buffer >> (bits - 8)));
                bits -= 8;
            }
        }

        if ((buffer & ((1 << bits) - 1)) != 0)
        {
            throw new FormatException($"\"{text}\" has non-zero trailing bits");
        }

        return [.. bytes];
    }
}
