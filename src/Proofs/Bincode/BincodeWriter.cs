using System.Buffers.Binary;

namespace Kiln.Proofs.Bincode;

/// <summary>Writes rust bincode 1.x fixint little-endian into a buffer sized beforehand.</summary>
internal ref struct BincodeWriter
{
    private readonly Span<byte> _destination;

    public BincodeWriter(Span<byte> destination)
    {
        _destination = destination;
    }

    public int Position { get; private set; }

    public void WriteU32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_destination[Position..], value);
        Position += sizeof(uint);
    }

    public void WriteU64(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(_destination[Position..], value);
        Position += sizeof(ulong);
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_destination[Position..]);
        Position += bytes.Length;
    }
}
