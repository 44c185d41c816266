namespace Kiln.Proofs.Pieces;

/// <summary>
/// What <see cref="AddPiece.WriteAsync"/> wrote: the piece (padded size and commitment), the payload
/// bytes actually read (fewer than the piece size when the source ran short; the rest is zeros), and
/// the padded offset of the piece in the sector file.
/// </summary>
public readonly record struct AddPieceResult(PieceCommitment Piece, ulong BytesRead, ulong PaddedOffset)
{
    public static implicit operator PieceCommitment(AddPieceResult result) => result.Piece;

    public PieceCommitment ToPieceCommitment() => Piece;
}
