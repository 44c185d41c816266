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
