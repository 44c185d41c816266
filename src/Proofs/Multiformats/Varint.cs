namespace Kiln.Proofs.Multiformats;

/// <summary>Unsigned LEB128 varints as used by multiformats (at most 9 bytes, minimal encoding).</summary>
internal static class Varint
{
    public static int Size(ulong value)
    {
        var n = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            n++;
        }

        return n;
    }

    public static int Write(Span<byte> destination, ulong value)
    {
        var n = 0;
        while (value >= 0x80)
        {
            destination[n++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[n++] = (byte)value;
        return n;
    }

    /// <summary>Reads a varint; returns the bytes consumed, or 0 when truncated, too long or not minimal.</summary>
    public static int TryRead(ReadOnlySpan<byte> source, out ulong value)
    {
        value = 0;
        for (var i = 0; i < source.Length && i < 9; i++)
        {
            var b = source[i];
            value |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                return b == 0 && i > 0 ? 0 : i + 1;
            }
        }

        return 0;
    }
}
