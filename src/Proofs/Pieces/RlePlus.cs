namespace Kiln.Proofs.Pieces;

/// <summary>
/// RLE+ bitfields as go-bitfield encodes them: 2-bit version 0, the first run's value, then each run
/// as "1" (length 1), "01"+4 bits (2..15) or "00"+uvarint (≥ 16), bits packed LSB first.
/// Runs alternate in value; trailing zero runs are not stored.
/// </summary>
public static class RlePlus
{
    public static byte[] Encode(IReadOnlyList<(bool Value, ulong Length)> runs)
    {
        var w = new BitWriter();
        w.Put(0, 2);
        var first = true;
        var prev = false;
        foreach (var (value, length) in runs)
        {
            if (length == 0)
            {
                throw new ArgumentException("RLE+ runs cannot be empty");
            }

            if (first)
            {
                w.Put(value ? 1UL : 0UL, 1);
                first = false;
            }
            else if (prev == value)
            {
                throw new ArgumentException("2 consecutive runs with the same value");
            }

            prev = value;
            if (length == 1)
            {
                w.Put(1, 1);
            }
            else if (length < 16)
            {
                w.Put(2, 2);
                w.Put(length, 4);
            }
            else
            {
                w.Put(0, 2);
                var v = length;
                do
                {
                    var b = v & 0x7F;
                    v >>= 7;
                    w.Put(v != 0 ? b | 0x80 : b, 8);
                }
                while (v != 0);
            }
        }

        if (first)
        {
            w.Put(0, 1);
        }

        return w.ToArray();
    }

    public static List<(bool Value, ulong Length)> Decode(ReadOnlySpan<byte> data)
    {
        var runs = new List<(bool, ulong)>();
        if (data.Length == 0)
        {
            return runs;
        }

        var r = new BitReader(data);
        if (r.Get(2) != 0)
        {
            throw new FormatException("RLE+: unsupported version");
        }

        var value = r.Get(1) == 1;
        while (r.BitsLeft > 0)
        {
            ulong length;
            if (r.Get(1) == 1)
            {
                length = 1;
            }
            else if (r.BitsLeft == 0)
            {
                break;
            }
            else if (r.Get(1) == 1)
            {
                length = r.Get(4);
            }
            else if (r.BitsLeft < 8)
            {
                break; // zero padding of the last byte
            }
            else
            {
                length = ReadVarint(ref r);
                if (length is > 0 and < 16)
                {
                    throw new FormatException("RLE+: varint run shorter than 16");
                }
            }

            if (length == 0)
            {
                break;
            }

            runs.Add((value, length));
            value = !value;
        }

        return runs;
    }

    private static ulong ReadVarint(ref BitReader r)
    {
        ulong length = 0;
        for (var shift = 0; ; shift += 7)
        {
            if (r.BitsLeft < 8 || shift > 63)
            {
                throw new FormatException("RLE+: truncated varint");
            }

            var b = r.Get(8);
            length |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return length;
            }
        }
    }

    private sealed class BitWriter
    {
        private readonly List<byte> _bytes = [];
        private ulong _bits;
        private int _count;

        public void Put(ulong value, int count)
        {
            _bits |= value << _count;
            _count += count;
            while (_count >= 8)
            {
                _bytes.Add((byte)_bits);
                _bits >>= 8;
                _count -= 8;
            }
        }

        public byte[] ToArray()
        {
            if (_count > 0)
            {
                _bytes.Add((byte)_bits);
            }

            return [.. _bytes];
        }
    }

    private ref struct BitReader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _pos;

        public readonly int BitsLeft => (_data.Length * 8) - _pos;

        public ulong Get(int count)
        {
            ulong v = 0;
            for (var i = 0; i < count; i++, _pos++)
            {
                if (_pos >= _data.Length * 8)
                {
                    break;
                }

                v |= (ulong)((_data[_pos >> 3] >> (_pos & 7)) & 1) << i;
            }

            return v;
        }
    }
}
