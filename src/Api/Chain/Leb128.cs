namespace Kiln.Api.Chain;

/// <summary>Unsigned LEB128 as go-varint reads and writes it: at most 9 bytes (63 bits), minimal encodings only.</summary>
internal static class Leb128
{
    public static byte[] Encode(ulong value)
    {
        Span<byte> buffer = stackalloc byte[10];
        var n = 0;
        while (value >= 0x80)
        {
            buffer[n++] = (byte)(value | 0x80);
            value >>= 7;
        }

        buffer[n++] = (byte)value;
        return buffer[..n].ToArray();
    }

    /// <summary>
    /// go-varint <c>FromUvarint</c>: false for a truncated varint, one longer than 9 bytes, or a non-minimal one (a
    /// last byte of 0 after others). On success <paramref name="rest"/> is advanced past it.
    /// </summary>
    public static bool TryRead(ref ReadOnlySpan<byte> rest, out ulong value)
    {
        value = 0;
        for (var i = 0; i < rest.Length && i < 9; i++)
        {
            var b = rest[i];
            value |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                if (b == 0 && i > 0)
                {
                    return false;
                }

                rest = rest[(i + 1)..];
                return true;
            }
        }

        return false;
    }
}
