using System.Numerics;
using Kiln.Proofs.Fr32;

namespace Kiln.Proofs.Pieces;

/// <summary>
/// Writes pieces into an unsealed (staged) sector file the way Lotus does: the Fr32-padded piece at
/// padded offset Σ(existing padded sizes), commP computed while writing, alignment left to explicit
/// pad pieces (<see cref="GetRequiredPadding"/>). The file is Lotus's partial file: sector data,
/// then the RLE+ trailer of allocated ranges (<see cref="PartialFile"/>), so Lotus can read it.
/// </summary>
public static class AddPiece
{
    /// <summary>
    /// Adds a piece of <paramref name="pieceSize"/> unpadded bytes read from <paramref name="data"/>.
    /// With no existing pieces the file is created (or truncated) at the sector size; otherwise it
    /// must exist. Only the new piece's range is written, then flushed to disk. When the source runs
    /// short the rest of the piece is zeros and the commitment covers those zeros (Lotus
    /// ZeroPadPieceCommitment); <see cref="AddPieceResult.BytesRead"/> says how much was read.
    /// </summary>
    public static async Task<AddPieceResult> WriteAsync(
        string unsealedPath,
        ulong sectorSize,
        IReadOnlyList<UnpaddedPieceSize> existingPieces,
        UnpaddedPieceSize pieceSize,
        Stream data,
        CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(unsealedPath);
        ArgumentNullException.ThrowIfNull(existingPieces);
        ArgumentNullException.ThrowIfNull(data);
        if (sectorSize < 128 || !BitOperations.IsPow2(sectorSize))
        {
            throw new ProofsException($"sector size {sectorSize} is not a power of two of at least 128 bytes");
        }

        pieceSize.Validate();
        ulong offset = 0;
        foreach (var existing in existingPieces)
        {
            existing.Validate();
            offset += existing.Padded().Value;
        }

        var padded = pieceSize.Padded();
        if (offset + padded.Value > sectorSize)
        {
            throw new ProofsException($"can't add {pieceSize.Value} byte piece to a {sectorSize}-byte sector with {offset} padded bytes of existing pieces");
        }

        if (existingPieces.Count > 0 && !File.Exists(unsealedPath))
        {
            throw new ProofsException($"unsealed file '{unsealedPath}' does not exist but {existingPieces.Count} existing pieces were declared");
        }

        var mode = existingPieces.Count == 0 ? FileMode.Create : FileMode.Open;
        var file = new FileStream(unsealedPath, mode, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0, FileOptions.Asynchronous);
        await using var fileScope = file.ConfigureAwait(false);
        var handle = file.SafeFileHandle;
        var allocated = existingPieces.Count == 0 ? [] : Allocated(handle, sectorSize, offset);
        if ((ulong)file.Length < sectorSize)
        {
            file.SetLength((long)sectorSize);
        }

        using var reader = new PieceChunkReader();
        using var hasher = new PaddedTreeHasher();
        var position = offset;
        var remaining = pieceSize.Value;
        ulong read = 0;
        var exhausted = false;
        while (remaining > 0)
        {
            ct.ThrowIfCancellationRequested();
            var want = (int)Math.Min(remaining, PieceChunkReader.UnpaddedChunk);
            var paddedBytes = want / Fr32Padding.UnpaddedBlockSize * Fr32Padding.PaddedBlockSize;
            if (!exhausted)
            {
                var got = await reader.ReadAsync(data, want, ct).ConfigureAwait(false);
                read += (ulong)got;
                hasher.Write(reader.Padded.Span[..paddedBytes]);
                if (got < want)
                {
                    // The source ran short: the rest of the piece is zeros, on disk and in the tree.
                    exhausted = true;
                    await RandomAccess.WriteAsync(handle, reader.Padded[..paddedBytes], (long)position, ct).ConfigureAwait(false);
                    reader.ClearPadded();
                    position += (ulong)paddedBytes;
                    remaining -= (ulong)want;
                    continue;
                }
            }

            await RandomAccess.WriteAsync(handle, reader.Padded[..paddedBytes], (long)position, ct).ConfigureAwait(false);
            position += (ulong)paddedBytes;
            remaining -= (ulong)want;
        }

        allocated.Add((offset, padded.Value));
        PartialFile.WriteTrailer(handle, sectorSize, allocated);
        file.Flush(flushToDisk: true);
        var commP = hasher.Finish(padded.TreeHeight);
        return new AddPieceResult(new PieceCommitment(padded, new Commitment(commP)), read, offset);
    }

    /// <summary>
    /// The allocated ranges of an existing unsealed file: its trailer, or — for a bare sector-sized
    /// file without one — everything before the new piece.
    /// </summary>
    private static List<(ulong Offset, ulong Size)> Allocated(Microsoft.Win32.SafeHandles.SafeFileHandle handle, ulong sectorSize, ulong offset)
    {
        var length = (ulong)RandomAccess.GetLength(handle);
        return length <= sectorSize ? [(0, offset)] : PartialFile.ReadAllocated(handle, sectorSize);
    }

    /// <summary>
    /// Lotus <c>GetRequiredPadding</c>: the pad pieces that bring <paramref name="oldLength"/> to a
    /// multiple of <paramref name="newPieceLength"/>, the set bits of (−oldLength mod newPieceLength),
    /// smallest first.
    /// </summary>
    public static IReadOnlyList<PaddedPieceSize> GetRequiredPadding(PaddedPieceSize oldLength, PaddedPieceSize newPieceLength)
    {
        newPieceLength.Validate();
        var toFill = unchecked(0UL - oldLength.Value) % newPieceLength.Value;
        var pads = new List<PaddedPieceSize>(BitOperations.PopCount(toFill));
        while (toFill != 0)
        {
            var size = 1UL << BitOperations.TrailingZeroCount(toFill);
            toFill ^= size;
            pads.Add(new PaddedPieceSize(size));
        }

        return pads;
    }
}
