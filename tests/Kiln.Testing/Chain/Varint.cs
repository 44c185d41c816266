namespace Kiln.Testing.Chain;

/// <summary>Unsigned LEB128 (multiformats unsigned-varint), as in ID addresses and CIDs.</summary>
public static class Varint
{
    public static byte[] Encode(ulong value)
    {
        var bytes = new List<byte>(10);
        do
        {
            var b = (byte)(value & 0x7f);
            value >>= 7;
            bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);
        return [.. bytes];
    }

    /// <summary>Reads one varint at <paramref name="offset"/>, minimal form only.</summary>
    public static ulong Read(ReadOnlySpan<byte> bytes, ref int offset)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (offset >= bytes.Length)
            {
                throw new FormatException("varint runs past the end");
            }

            var b = bytes[offset++];
            value |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                if (b == 0 && shift > 0)
                {
                    throw new FormatException("varint not in minimal form");
                }

                return value;
            }
        }

        throw new FormatException("varint longer than 64 bits");
    }
}
