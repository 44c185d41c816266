using System.Buffers.Binary;
using Kiln.Proofs.Fields;
using Microsoft.Win32.SafeHandles;

namespace Kiln.Proofs.Seal;

/// <summary>
/// The in-place replica encoding of PreCommit2 (replica[n] = data[n] + key[n] mod p, the key being the
/// last SDR layer), made safe to interrupt: before a chunk of the sealed file is overwritten its
/// original bytes go to an undo journal in the cache directory (written whole through a rename), so a
/// PreCommit2 that dies half way and runs again restores the chunk in flight, keeps the chunks already
/// encoded and encodes only the rest — never encoding a node twice.
/// </summary>
internal sealed class ReplicaEncoding
{
    public const string JournalName = "pc2-encode.journal";

    private static readonly ulong Magic = BinaryPrimitives.ReadUInt64LittleEndian("KILNENC1"u8);
    private const int HeaderBytes = 24;

    private readonly string _journal;
    private readonly SafeFileHandle _sealed;
    private readonly string _sealedPath;
    private readonly ulong _sectorSize;

    private ReplicaEncoding(string cacheDir, SafeFileHandle sealedFile, string sealedPath, ulong sectorSize)
    {
        _journal = Path.Combine(cacheDir, JournalName);
        _sealed = sealedFile;
        _sealedPath = sealedPath;
        _sectorSize = sectorSize;
    }

    /// <summary>Bytes of the sealed file, from its start, that already hold the replica.</summary>
    public ulong EncodedBytes { get; private set; }

    /// <summary>Opens the journal of an earlier run, if any, and undoes its unfinished chunk.</summary>
    /// <exception cref="ProofsException">The journal is damaged.</exception>
    public static ReplicaEncoding Resume(string cacheDir, SafeFileHandle sealedFile, string sealedPath, ulong sectorSize)
    {
        var encoding = new ReplicaEncoding(cacheDir, sealedFile, sealedPath, sectorSize);
        if (!File.Exists(encoding._journal))
        {
            return encoding;
        }

        var journal = File.ReadAllBytes(encoding._journal);
        if (journal.Length < HeaderBytes || BinaryPrimitives.ReadUInt64LittleEndian(journal) != Magic)
        {
            throw new ProofsException($"{encoding._journal} is not a replica encoding journal: the sealed file {sealedPath} may be partly encoded; seal the sector again from PreCommit1");
        }

        var offset = BinaryPrimitives.ReadUInt64LittleEndian(journal.AsSpan(8));
        var length = BinaryPrimitives.ReadUInt64LittleEndian(journal.AsSpan(16));
        if (offset + length > sectorSize || (ulong)journal.Length != HeaderBytes + length || offset % Fr.ByteLength != 0)
        {
            throw new ProofsException($"{encoding._journal} is damaged (chunk {offset}+{length} of a {sectorSize}-byte sector, {journal.Length} bytes): seal the sector again from PreCommit1");
        }

        if (length > 0)
        {
            RandomAccess.Write(sealedFile, journal.AsSpan(HeaderBytes), (long)offset);
            RandomAccess.FlushToDisk(sealedFile);
        }

        encoding.EncodedBytes = offset;
        return encoding;
    }

    /// <summary>
    /// Turns the chunk of <paramref name="data"/> read at <paramref name="offset"/> into replica nodes in
    /// place, journaled, and writes them to the sealed file. A chunk below <see cref="EncodedBytes"/> is already replica and is left alone.
    /// </summary>
    public void Encode(long offset, Span<byte> data, ReadOnlySpan<byte> key)
    {
        if ((ulong)offset + (ulong)data.Length <= EncodedBytes)
        {
            return;
        }

        if ((ulong)offset != EncodedBytes)
        {
            throw new InvalidOperationException($"chunks are encoded in order: {EncodedBytes} bytes are done, chunk at {offset} given");
        }

        var journal = new byte[HeaderBytes + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(journal, Magic);
        BinaryPrimitives.WriteUInt64LittleEndian(journal.AsSpan(8), (ulong)offset);
        BinaryPrimitives.WriteUInt64LittleEndian(journal.AsSpan(16), (ulong)data.Length);
        data.CopyTo(journal.AsSpan(HeaderBytes));
        AtomicFile.Write(_journal, journal);

        var bad = Fr.AddCanonical(data, key, data);
        if (bad >= 0)
        {
            throw new ProofsException($"node {((ulong)offset / Fr.ByteLength) + (ulong)bad} of the sealed file {_sealedPath} or of the last layer is not a field element: the data was not Fr32-padded or a file is damaged");
        }

        RandomAccess.Write(_sealed, data, offset);
        RandomAccess.FlushToDisk(_sealed);
        EncodedBytes = (ulong)offset + (ulong)data.Length;
    }

    /// <summary>Marks the whole file encoded (a journal with an empty chunk at the end), so a later run only rebuilds trees.</summary>
    public void Complete()
    {
        if (EncodedBytes != _sectorSize)
        {
            throw new InvalidOperationException($"{EncodedBytes} of {_sectorSize} bytes are encoded");
        }

        var journal = new byte[HeaderBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(journal, Magic);
        BinaryPrimitives.WriteUInt64LittleEndian(journal.AsSpan(8), _sectorSize);
        AtomicFile.Write(_journal, journal);
    }
}
