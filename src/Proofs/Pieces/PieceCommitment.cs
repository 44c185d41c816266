using Kiln.Proofs.Multiformats;

namespace Kiln.Proofs.Pieces;

/// <summary>
/// A piece as Lotus sees it (abi.PieceInfo): its padded size and its commitment. Pad pieces carry
/// the zero commitment of their size.
/// </summary>
public readonly record struct PieceCommitment(PaddedPieceSize Size, Commitment Commitment)
{
    /// <summary>The piece CID (<c>baga6ea4seaq…</c>) of <see cref="Commitment"/>.</summary>
    public string PieceCid
    {
        get
        {
            Span<byte> bytes = stackalloc byte[Commitment.Size];
            Commitment.CopyTo(bytes);
            return CommCid.ToPieceCid(bytes);
        }
    }

    /// <summary>Builds a piece from its size and piece CID string.</summary>
    public static PieceCommitment FromPieceCid(PaddedPieceSize size, string pieceCid)
        => new(size, new Commitment(CommCid.ParsePieceCid(pieceCid)));

    /// <summary>The pad piece of a size: zeros, commitment Z[log2(size/32)].</summary>
    public static PieceCommitment Pad(PaddedPieceSize size)
    {
        size.Validate();
        return new PieceCommitment(size, ZeroComm.ForPaddedSize(size.Value));
    }
}
