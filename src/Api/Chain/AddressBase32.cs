namespace Kiln.Api.Chain;

/// <summary>
/// go-address <c>AddressEncoding</c>: RFC 4648 base32 with the lower-case alphabet, no padding. Decoding is strict:
/// only a–z and 2–7, no impossible lengths, no non-zero trailing bits (go-address decode re-encodes and compares).
/// </summary>
internal static class AddressBase32
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    public static string Encode(ReadOnlySpan<byte> data)
    {
        var chars = new char[((data.Length * 8) + 4) / 5];
        var buffer = 0;
        var bits = 0;
        var k = 0;
        foreach (var b in data)
        {
            buffer = ((buffer << 8) | b) & 0xFFFF;
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

        return new string(chars);
    }

    public static byte[]? TryDecode(ReadOnlySpan<char> text, out string error)
    {
        if ((text.Length % 8) is 1 or 3 or 6)
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
            var v = Alphabet.IndexOf(text[i], StringComparison.Ordinal);
            if (v < 0)
            {
                error = $"'{text[i]}' at position {i} is not in the base32 alphabet a–z 2–7";
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

        error = "";
        return output;
    }
}
