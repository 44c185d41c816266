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
/// <remarks>
/// The journal is a Kiln-only file, which Lotus's cache fetch refuses (storage/sealer/tarutil/systar.go
/// CacheFileConstraints), so it does not outlive PreCommit2: a run that fails undoes its encoding
/// (<see cref="Rollback"/>) and one that succeeds removes it once p_aux is written (<see cref="Finish"/>); a later
/// PreCommit2 then knows the sealed file is already encoded from that p_aux. Only a process that dies or is
/// stopped in the middle leaves the journal, for the next PreCommit2 on this host to resume from.
/// </remarks>
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
        File.Delete(encoding._journal + ".tmp");
        if (!File.Exists(encoding._journal))
        {
            // No journal: either nothing is encoded yet, or an earlier PreCommit2 finished (it writes p_aux
            // after the whole file is encoded and removes the journal after p_aux).
            if (File.Exists(PersistentAux.PathIn(cacheDir)))
            {
                encoding.EncodedBytes = sectorSize;
            }

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

    /// <summary>Removes the journal of a finished encoding: call after p_aux is written, which then marks the file encoded.</summary>
    public void Finish()
    {
        if (EncodedBytes != _sectorSize)
        {
            throw new InvalidOperationException($"{EncodedBytes} of {_sectorSize} bytes are encoded");
        }

        File.Delete(_journal);
    }

    /// <summary>
    /// Undoes the encoding of a run that failed: restores the chunk in flight, decodes the encoded chunks back to
    /// data (last chunk first, each journaled as a chunk in flight, so a crash here resumes consistently) and removes
    /// the journal, leaving the sealed file as PreCommit1 wrote it.
    /// </summary>
    public void Rollback(SafeFileHandle lastLayer, string lastLayerPath, int chunkBytes)
    {
        if (File.Exists(_journal))
        {
            // The journal is the truth: it restores a chunk in flight and says how much is encoded.
            EncodedBytes = Resume(Path.GetDirectoryName(_journal)!, _sealed, _sealedPath, _sectorSize).EncodedBytes;
        }

        if (EncodedBytes > 0)
        {
            // From here the journal, not p_aux, says what is encoded: p_aux would claim the whole file is.
            WriteJournal(EncodedBytes, []);
            File.Delete(PersistentAux.PathIn(Path.GetDirectoryName(_journal)!));
        }

        var data = new byte[chunkBytes];
        var key = new byte[chunkBytes];
        while (EncodedBytes > 0)
        {
            var length = (int)Math.Min((ulong)chunkBytes, EncodedBytes - ((EncodedBytes - 1) / (ulong)chunkBytes * (ulong)chunkBytes));
            var offset = EncodedBytes - (ulong)length;
            Merkle.StoreFile.ReadExactly(_sealed, data.AsSpan(0, length), (long)offset, _sealedPath, "sealed");
            Merkle.StoreFile.ReadExactly(lastLayer, key.AsSpan(0, length), (long)offset, lastLayerPath, "layer");
            if (Fr.AddCanonical(data.AsSpan(0, length), key.AsSpan(0, length), data.AsSpan(0, length), subtract: true) >= 0)
            {
                throw new ProofsException($"the sealed file {_sealedPath} or the last layer holds a node that is not a field element near byte {offset}: the encoding cannot be undone; seal the sector again from PreCommit1");
            }

            // "[0, offset) encoded, the chunk at offset in flight with these original bytes": a crash now restores them.
            WriteJournal(offset, data.AsSpan(0, length));
            RandomAccess.Write(_sealed, data.AsSpan(0, length), (long)offset);
            RandomAccess.FlushToDisk(_sealed);
            EncodedBytes = offset;
        }

        File.Delete(_journal);
    }

    /// <summary>Journals "[0, offset) is encoded; the chunk at offset holds <paramref name="original"/> once restored".</summary>
    private void WriteJournal(ulong offset, ReadOnlySpan<byte> original)
    {
        var journal = new byte[HeaderBytes + original.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(journal, Magic);
        BinaryPrimitives.WriteUInt64LittleEndian(journal.AsSpan(8), offset);
        BinaryPrimitives.WriteUInt64LittleEndian(journal.AsSpan(16), (ulong)original.Length);
        original.CopyTo(journal.AsSpan(HeaderBytes));
        AtomicFile.Write(_journal, journal);
    }
}
