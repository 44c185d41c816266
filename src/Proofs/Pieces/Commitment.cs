using System.Buffers.Binary;

namespace Kiln.Proofs.Pieces;

/// <summary>
/// A 32-byte commitment (commP, comm_d, comm_r) in its raw byte order: the little-endian encoding
/// of a field element, exactly as it appears inside a CID. Compared by value.
/// </summary>
public readonly struct Commitment : IEquatable<Commitment>
{
    /// <summary>Bytes in a commitment.</summary>
    public const int Size = 32;

    private readonly ulong _w0;
    private readonly ulong _w1;
    private readonly ulong _w2;
    private readonly ulong _w3;

    public Commitment(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ProofsException($"a commitment is 32 bytes, got {bytes.Length}");
        }

        _w0 = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        _w1 = BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]);
        _w2 = BinaryPrimitives.ReadUInt64LittleEndian(bytes[16..]);
        _w3 = BinaryPrimitives.ReadUInt64LittleEndian(bytes[24..]);
    }

    /// <summary>True for 32 zero bytes (also the value of <c>default</c>).</summary>
    public bool IsZero => (_w0 | _w1 | _w2 | _w3) == 0;

    public static Commitment FromHex(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        byte[] bytes;
        try
        {
            bytes = Convert.FromHexString(hex);
        }
        catch (FormatException e)
        {
            throw new ProofsException($"commitment '{hex}' is not hex", e);
        }

        return new Commitment(bytes);
    }

    public static bool operator ==(Commitment left, Commitment right) => left.Equals(right);

    public static bool operator !=(Commitment left, Commitment right) => !left.Equals(right);

    public void CopyTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(destination, _w0);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], _w1);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], _w2);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[24..], _w3);
    }

    public byte[] ToArray()
    {
        var bytes = new byte[Size];
        CopyTo(bytes);
        return bytes;
    }

    public bool Equals(Commitment other)
        => _w0 == other._w0 && _w1 == other._w1 && _w2 == other._w2 && _w3 == other._w3;

    public override bool Equals(object? obj) => obj is Commitment other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_w0, _w1, _w2, _w3);

    /// <summary>Lower-case hex of the raw bytes.</summary>
    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Size];
        CopyTo(bytes);
        return Convert.ToHexStringLower(bytes);
    }
}
