namespace Kiln.Proofs.Pieces;

/// <summary>
/// rust-fil-proofs piece alignment (<c>get_piece_alignment</c>, <c>sum_piece_bytes_with_alignment</c>,
/// <c>get_piece_start_byte</c>), all in unpadded bytes.
/// </summary>
public static class PieceAlignment
{
    /// <summary>
    /// Zero bytes to write before (left) and after (right) a piece of <paramref name="pieceSize"/>
    /// unpadded bytes when <paramref name="written"/> bytes are already in the sector.
    /// </summary>
    public static (ulong Left, ulong Right) Get(ulong written, ulong pieceSize)
    {
        ulong needed = 127;
        while (needed < pieceSize)
        {
            needed *= 2;
        }

        var encroaching = written % needed;
        var left = encroaching > 0 ? needed - encroaching : 0;
        var right = needed - pieceSize;
        return (left, right);
    }

    /// <summary>Unpadded bytes taken by the pieces written in order, alignment included.</summary>
    public static ulong SumWithAlignment(IEnumerable<ulong> pieceLengths)
    {
        ArgumentNullException.ThrowIfNull(pieceLengths);
        ulong sum = 0;
        foreach (var length in pieceLengths)
        {
            var (left, right) = Get(sum, length);
            sum += left + length + right;
        }

        return sum;
    }

    /// <summary>Unpadded offset where a piece's data starts after the given pieces.</summary>
    public static ulong StartByte(IEnumerable<ulong> pieceLengths, ulong pieceSize)
    {
        var last = SumWithAlignment(pieceLengths);
        return last + Get(last, pieceSize).Left;
    }
}
