using Microsoft.Win32.SafeHandles;

namespace Kiln.Proofs.Pieces;

/// <summary>
/// Lotus's unsealed sector file ("partial file"): the sector's padded data, then an RLE+ trailer
/// marking which padded bytes hold data, then the trailer's length as u32 LE. A file Kiln writes
/// is read by Lotus and the other way round.
/// </summary>
public static class PartialFile
{
    /// <summary>Reads the allocated padded byte ranges [offset, offset + size) of an unsealed file.</summary>
    public static List<(ulong Offset, ulong Size)> ReadAllocated(SafeFileHandle file, ulong sectorSize)
    {
        var length = RandomAccess.GetLength(file);
        if (length < (long)sectorSize + 4)
        {
            throw new ProofsException($"unsealed file is smaller than the sector size plus trailer: {length} < {sectorSize + 4}");
        }

        Span<byte> lenBytes = stackalloc byte[4];
        RandomAccess.Read(file, lenBytes, length - 4);
        var trailerLength = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(lenBytes);
        if ((long)sectorSize + trailerLength + 4 != length)
        {
            throw new ProofsException($"unsealed file has inconsistent length; has {length} bytes; expected {(long)sectorSize + trailerLength + 4} ({trailerLength + 4} trailer, {sectorSize} sector data)");
        }

        var trailer = new byte[trailerLength];
        RandomAccess.Read(file, trailer, (long)sectorSize);
        List<(bool Value, ulong Length)> runs;
        try
        {
            runs = RlePlus.Decode(trailer);
        }
        catch (FormatException e)
        {
            throw new ProofsException("unsealed file trailer is corrupt: " + e.Message, e);
        }

        var ranges = new List<(ulong, ulong)>();
        ulong at = 0;
        foreach (var (value, len) in runs)
        {
            if (value)
            {
                ranges.Add((at, len));
            }

            at += len;
        }

        if (at > sectorSize)
        {
            throw new ProofsException($"last set byte at index higher than sector size: {at} > {sectorSize}");
        }

        return ranges;
    }

    /// <summary>Writes the trailer for the given allocated ranges after the sector data and truncates the file to its end.</summary>
    public static void WriteTrailer(SafeFileHandle file, ulong sectorSize, IEnumerable<(ulong Offset, ulong Size)> allocated)
    {
        var trailer = RlePlus.Encode(ToRuns(allocated));
        var tail = new byte[trailer.Length + 4];
        trailer.CopyTo(tail, 0);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(tail.AsSpan(trailer.Length), (uint)trailer.Length);
        RandomAccess.Write(file, tail, (long)sectorSize);
        RandomAccess.SetLength(file, (long)sectorSize + tail.Length);
    }

    /// <summary>
    /// Lotus storage/sealer/partialfile <c>PartialFile.Free</c>: the padded range [<paramref name="offset"/>,
    /// <paramref name="offset"/> + <paramref name="size"/>) is deallocated on disk (a punched hole, as Lotus's
    /// <c>fsutil.Deallocate</c>; zeros where the filesystem cannot punch holes) and removed from the trailer's
    /// allocated runs.
    /// </summary>
    /// <exception cref="ProofsException">The range leaves the sector, or the trailer is corrupt.</exception>
    public static void Free(SafeFileHandle file, ulong sectorSize, ulong offset, ulong size)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (offset > sectorSize || size > sectorSize - offset)
        {
            throw new ProofsException($"free range [{offset}, {offset + size}) is outside the {sectorSize}-byte sector");
        }

        var allocated = ReadAllocated(file, sectorSize);
        if (size == 0)
        {
            return;
        }

        Deallocate(file, (long)offset, (long)size);
        var end = offset + size;
        var left = new List<(ulong Offset, ulong Size)>();
        foreach (var (o, n) in allocated)
        {
            if (o < offset)
            {
                left.Add((o, Math.Min(o + n, offset) - o));
            }

            if (o + n > end)
            {
                var start = Math.Max(o, end);
                left.Add((start, o + n - start));
            }
        }

        WriteTrailer(file, sectorSize, left);
    }

    /// <summary>
    /// Lotus <c>fsutil.Deallocate</c>: <c>fallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE)</c>; where the
    /// filesystem does not support it the range is overwritten with zeros, so freed data is gone either way.
    /// </summary>
    private static void Deallocate(SafeFileHandle file, long offset, long length)
    {
        const int punchHoleKeepSize = 0x02 | 0x01;
        if (OperatingSystem.IsLinux() && Memory.Libc.fallocate(file, punchHoleKeepSize, offset, length) == 0)
        {
            return;
        }

        var zeros = new byte[(int)Math.Min(length, 1 << 20)];
        for (long at = 0; at < length; at += zeros.Length)
        {
            RandomAccess.Write(file, zeros.AsSpan(0, (int)Math.Min(zeros.Length, length - at)), offset + at);
        }
    }

    /// <summary>Alternating runs (leading unallocated run when needed) of the union of the ranges.</summary>
    internal static List<(bool Value, ulong Length)> ToRuns(IEnumerable<(ulong Offset, ulong Size)> allocated)
    {
        var merged = new List<(ulong Start, ulong End)>();
        foreach (var (offset, size) in allocated.Where(r => r.Size > 0).OrderBy(r => r.Offset))
        {
            if (merged.Count > 0 && offset <= merged[^1].End)
            {
                merged[^1] = (merged[^1].Start, Math.Max(merged[^1].End, offset + size));
            }
            else
            {
                merged.Add((offset, offset + size));
            }
        }

        var runs = new List<(bool, ulong)>();
        ulong at = 0;
        foreach (var (start, end) in merged)
        {
            if (start > at)
            {
                runs.Add((false, start - at));
            }

            runs.Add((true, end - start));
            at = end;
        }

        return runs;
    }
}
