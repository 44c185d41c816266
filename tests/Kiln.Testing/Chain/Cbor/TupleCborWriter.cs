using System.Numerics;
using System.Text;

namespace Kiln.Testing.Chain.Cbor;

/// <summary>A minimal CBOR writer with shortest-form heads, as cbor-gen writes tuples; for the stand-in's own answers and hashes.</summary>
public sealed class TupleCborWriter
{
    private readonly List<byte> _bytes = [];

    public TupleCborWriter Head(int major, ulong argument)
    {
        var m = (byte)(major << 5);
        if (argument < 24)
        {
            _bytes.Add((byte)(m | (byte)argument));
        }
        else if (argument <= byte.MaxValue)
        {
            _bytes.Add((byte)(m | 24));
            _bytes.Add((byte)argument);
        }
        else if (argument <= ushort.MaxValue)
        {
            _bytes.Add((byte)(m | 25));
            BigEndian(argument, 2);
        }
        else if (argument <= uint.MaxValue)
        {
            _bytes.Add((byte)(m | 26));
            BigEndian(argument, 4);
        }
        else
        {
            _bytes.Add((byte)(m | 27));
            BigEndian(argument, 8);
        }

        return this;
    }

    public TupleCborWriter UInt(ulong value) => Head(0, value);

    public TupleCborWriter Int(long value) => value >= 0 ? Head(0, (ulong)value) : Head(1, (ulong)(-1 - value));

    public TupleCborWriter Bytes(ReadOnlySpan<byte> value)
    {
        Head(2, (ulong)value.Length);
        _bytes.AddRange(value);
        return this;
    }

    public TupleCborWriter Text(string value)
    {
        var utf8 = Encoding.UTF8.GetBytes(value);
        Head(3, (ulong)utf8.Length);
        _bytes.AddRange(utf8);
        return this;
    }

    public TupleCborWriter Array(int length) => Head(4, (ulong)length);

    public TupleCborWriter Null()
    {
        _bytes.Add(0xf6);
        return this;
    }

    public TupleCborWriter Bool(bool value)
    {
        _bytes.Add(value ? (byte)0xf5 : (byte)0xf4);
        return this;
    }

    /// <summary>A go big.Int: empty for zero, else sign byte 0 (positive) or 1 (negative) and the big-endian magnitude.</summary>
    public TupleCborWriter BigInt(BigInteger value)
    {
        if (value.IsZero)
        {
            return Bytes([]);
        }

        var magnitude = BigInteger.Abs(value).ToByteArray(isUnsigned: true, isBigEndian: true);
        return Bytes([value.Sign < 0 ? (byte)1 : (byte)0, .. magnitude]);
    }

    /// <summary>Tag 42 over the 0x00 multibase prefix and the CID bytes.</summary>
    public TupleCborWriter Cid(ReadOnlySpan<byte> cid)
    {
        Head(6, 42);
        return Bytes([0, .. cid]);
    }

    public byte[] ToArray() => [.. _bytes];

    private void BigEndian(ulong value, int size)
    {
        for (var i = size - 1; i >= 0; i--)
        {
            _bytes.Add((byte)(value >> (8 * i)));
        }
    }
}
