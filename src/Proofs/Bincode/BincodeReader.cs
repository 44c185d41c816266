using System.Buffers.Binary;

namespace Kiln.Proofs.Bincode;

/// <summary>
/// Reads rust bincode 1.x with the fixint little-endian encoding (what rust-fil-proofs writes): u32 enum
/// tags, u64 lengths, fixed arrays as raw bytes. Slices share the source memory.
/// </summary>
internal struct BincodeReader
{
    private readonly ReadOnlyMemory<byte> _source;
    private readonly string _what;

    public BincodeReader(ReadOnlyMemory<byte> source, string what)
    {
        _source = source;
        _what = what;
    }

    public int Position { get; private set; }

    public readonly int Remaining => _source.Length - Position;

    public uint ReadU32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(sizeof(uint)).Span);

    public ulong ReadU64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(sizeof(ulong)).Span);

    /// <summary>The next <paramref name="count"/> bytes, without copying.</summary>
    /// <exception cref="ProofsException">The source ends first.</exception>
    public ReadOnlyMemory<byte> Take(int count)
    {
        if (count > Remaining)
        {
            throw new ProofsException($"{_what} ends after {_source.Length} bytes; {count} more were needed at byte {Position}");
        }

        var slice = _source.Slice(Position, count);
        Position += count;
        return slice;
    }

    /// <summary>A u64 length of a Vec whose elements take at least <paramref name="minElementBytes"/> each, checked against what is left.</summary>
    /// <exception cref="ProofsException">The count cannot fit in the bytes that remain.</exception>
    public int ReadLength(int minElementBytes, string field)
    {
        var count = ReadU64();
        if (count > (ulong)(Remaining / Math.Max(minElementBytes, 1)))
        {
            throw new ProofsException($"{_what} claims {count} {field} at byte {Position - sizeof(ulong)}, more than its {Remaining} remaining bytes can hold");
        }

        return (int)count;
    }

    /// <exception cref="ProofsException">Bytes are left over.</exception>
    public readonly void ExpectEnd()
    {
        if (Remaining != 0)
        {
            throw new ProofsException($"{_what} has {Remaining} bytes after its end at byte {Position}");
        }
    }

    /// <summary>An error about the value just read.</summary>
    public readonly ProofsException Invalid(string message) => new($"{_what} at byte {Position}: {message}");
}
