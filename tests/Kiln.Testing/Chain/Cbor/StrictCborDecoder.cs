using System.Buffers.Binary;
using System.Text;

namespace Kiln.Testing.Chain.Cbor;

/// <summary>
/// A strict CBOR decoder for what cbor-gen (whyrusleeping/cbor-gen) writes: major types 0–7 with definite lengths
/// only, every head in its shortest form, tag 42 as the only tag, simple values false/true/null only (no floats),
/// one item and nothing after it. Anything else is a <see cref="FormatException"/> naming the byte offset.
/// Written apart from Kiln's own CBOR code so that it can check Kiln's encoder.
/// </summary>
public static class StrictCborDecoder
{
    private const int MaxDepth = 64;

    public static CborItem Decode(ReadOnlyMemory<byte> cbor)
    {
        var offset = 0;
        var item = Read(cbor, ref offset, 0);
        if (offset != cbor.Length)
        {
            throw new FormatException($"{cbor.Length - offset} bytes after the CBOR item, at byte {offset}");
        }

        return item;
    }

    private static CborItem Read(ReadOnlyMemory<byte> cbor, ref int offset, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new FormatException($"CBOR nested deeper than {MaxDepth} at byte {offset}");
        }

        var start = offset;
        var span = cbor.Span;
        if (offset >= span.Length)
        {
            throw new FormatException($"CBOR ends at byte {offset} where an item's head belongs");
        }

        var initial = span[offset++];
        var major = initial >> 5;
        var info = initial & 0x1f;
        if (major == 7)
        {
            return info switch
            {
                20 or 21 => CborItem.Simple(CborKind.Boolean, (ulong)(info - 20), start),
                22 => CborItem.Simple(CborKind.Null, 0, start),
                _ => throw new FormatException($"CBOR simple value or float (0x{initial:x2}) at byte {start}: cbor-gen writes only false, true and null"),
            };
        }

        var argument = ReadArgument(span, ref offset, info, start);
        switch (major)
        {
            case 0:
                return CborItem.Integer(CborKind.UnsignedInteger, argument, start);
            case 1:
                return CborItem.Integer(CborKind.NegativeInteger, argument, start);
            case 2:
            case 3:
            {
                if (argument > (ulong)(span.Length - offset))
                {
                    throw new FormatException($"CBOR string of {argument} bytes at byte {start} runs past the end ({span.Length - offset} left)");
                }

                var body = cbor.Slice(offset, (int)argument);
                offset += (int)argument;
                if (major == 2)
                {
                    return CborItem.ByteString(body, start);
                }

                try
                {
                    return CborItem.TextString(new UTF8Encoding(false, true).GetString(body.Span), start);
                }
                catch (DecoderFallbackException e)
                {
                    throw new FormatException($"CBOR text string at byte {start} is not UTF-8", e);
                }
            }

            case 4:
            case 5:
            {
                var count = major == 5 ? argument * 2 : argument;
                if (count > (ulong)(span.Length - offset))
                {
                    throw new FormatException($"CBOR {(major == 4 ? "array" : "map")} of {argument} entries at byte {start} cannot fit in the {span.Length - offset} bytes left");
                }

                var items = new List<CborItem>((int)count);
                for (ulong i = 0; i < count; i++)
                {
                    items.Add(Read(cbor, ref offset, depth + 1));
                }

                return CborItem.Container(major == 4 ? CborKind.Array : CborKind.Map, items, start);
            }

            default:
                if (argument != 42)
                {
                    throw new FormatException($"CBOR tag {argument} at byte {start}: only tag 42 (CID) is used by cbor-gen");
                }

                var content = Read(cbor, ref offset, depth + 1);
                if (content.Kind != CborKind.ByteString)
                {
                    throw new FormatException($"CBOR tag 42 at byte {start} wraps a {content.Kind}, not a byte string");
                }

                return CborItem.Tagged(argument, content, start);
        }
    }

    private static ulong ReadArgument(ReadOnlySpan<byte> span, ref int offset, int info, int start)
    {
        if (info < 24)
        {
            return (ulong)info;
        }

        if (info == 31)
        {
            throw new FormatException($"indefinite-length CBOR item at byte {start}: cbor-gen writes definite lengths only");
        }

        if (info > 27)
        {
            throw new FormatException($"reserved CBOR additional information {info} at byte {start}");
        }

        var size = 1 << (info - 24);
        if (span.Length - offset < size)
        {
            throw new FormatException($"CBOR head at byte {start} runs past the end");
        }

        var bytes = span.Slice(offset, size);
        offset += size;
        ulong value = size switch
        {
            1 => bytes[0],
            2 => BinaryPrimitives.ReadUInt16BigEndian(bytes),
            4 => BinaryPrimitives.ReadUInt32BigEndian(bytes),
            _ => BinaryPrimitives.ReadUInt64BigEndian(bytes),
        };
        var shortest = value < 24 ? 0 : value <= byte.MaxValue ? 1 : value <= ushort.MaxValue ? 2 : value <= uint.MaxValue ? 4 : 8;
        if (shortest != size)
        {
            throw new FormatException($"CBOR head at byte {start} holds {value} in {size} bytes: not the shortest form cbor-gen writes");
        }

        return value;
    }
}
