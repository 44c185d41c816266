namespace Kiln.Testing.Chain;

/// <summary>
/// An RLE+ decoder of its own (not Kiln's), as go-bitfield rle reads a bitfield's CBOR bytes: bits least significant
/// first, a 2-bit version that must be 0, the first run's value, then runs alternating in value, each "1" (length 1),
/// "01" + 4 bits (2..15) or "00" + a uvarint (16 and up). Encodings that are not the shortest are refused, as
/// go-bitfield refuses them; zero padding after the last run ends the set.
/// </summary>
public static class RlePlusBits
{
    /// <summary>More members than this is refused (a partition holds at most 2349 sectors).</summary>
    public const ulong MaxMembers = 1 << 20;

    /// <summary>The members of the RLE+ <paramref name="bytes"/>, ascending; an empty input is the empty set.</summary>
    /// <exception cref="FormatException">Not RLE+, naming <paramref name="what"/>.</exception>
    public static IReadOnlyList<ulong> Decode(ReadOnlySpan<byte> bytes, string what)
    {
        var members = new List<ulong>();
        if (bytes.IsEmpty)
        {
            return members;
        }

        var data = bytes.ToArray();
        var total = data.Length * 8;
        var pos = 0;
        ulong Take(int n)
        {
            ulong v = 0;
            for (var i = 0; i < n; i++, pos++)
            {
                if (((data[pos / 8] >> (pos % 8)) & 1) != 0)
                {
                    v |= 1UL << i;
                }
            }

            return v;
        }

        if (total < 3)
        {
            throw new FormatException($"{what}: RLE+ shorter than its header");
        }

        if (Take(2) != 0)
        {
            throw new FormatException($"{what}: RLE+ version is not 0");
        }

        var value = Take(1) == 1;
        ulong at = 0;
        while (pos < total)
        {
            ulong length;
            if (Take(1) == 1)
            {
                length = 1;
            }
            else if (pos >= total)
            {
                break; // padding
            }
            else if (Take(1) == 1)
            {
                if (total - pos < 4)
                {
                    throw new FormatException($"{what}: RLE+ run cut short at bit {pos}");
                }

                length = Take(4);
                if (length < 2)
                {
                    throw new FormatException($"{what}: RLE+ run of {length} in the 4-bit form is not minimal");
                }
            }
            else
            {
                length = 0;
                var shift = 0;
                var bytesRead = 0;
                while (true)
                {
                    if (total - pos < 8)
                    {
                        // Zero padding (a varint of 0 cut by the end) ends the set; anything else is truncated.
                        if (Take(total - pos) == 0 && bytesRead == 0)
                        {
                            length = 0;
                            break;
                        }

                        throw new FormatException($"{what}: RLE+ varint run cut short");
                    }

                    var b = Take(8);
                    bytesRead++;
                    if (shift > 63)
                    {
                        throw new FormatException($"{what}: RLE+ varint run longer than 64 bits");
                    }

                    length |= (b & 0x7f) << shift;
                    shift += 7;
                    if ((b & 0x80) == 0)
                    {
                        if (bytesRead > 1 && b == 0)
                        {
                            throw new FormatException($"{what}: RLE+ varint run is not minimal");
                        }

                        break;
                    }
                }

                if (length == 0)
                {
                    break;
                }

                if (length < 16)
                {
                    throw new FormatException($"{what}: RLE+ run of {length} in the varint form is not minimal");
                }
            }

            if (value)
            {
                if ((ulong)members.Count + length > MaxMembers)
                {
                    throw new FormatException($"{what}: more than {MaxMembers} members");
                }

                for (ulong i = 0; i < length; i++)
                {
                    members.Add(at + i);
                }
            }

            at += length;
            value = !value;
        }

        return members;
    }
}
