namespace Kiln.Proofs.Seal;

/// <summary>
/// The arguments of an unseal (Lotus storage/sealer/ffiwrapper/sealer_cgo.go <c>UnsealPiece</c>): the sector's sealed
/// file, the unsealed partial file to fill, who sealed it with which ticket and comm_d, and the range as Lotus passes it:
/// <paramref name="Offset"/> and <paramref name="Size"/> in unpadded bytes (an UnpaddedByteIndex and an UnpaddedPieceSize).
/// </summary>
public sealed record UnsealRequest(
    SealProofInfo Proof,
    string SealedPath,
    string UnsealedPath,
    ulong MinerId,
    ulong SectorNumber,
    byte[] Ticket,
    byte[] CommD,
    ulong Offset,
    ulong Size)
{
    /// <summary>The sector's file name as Lotus spells it (<c>s-t01000-1</c>), for messages.</summary>
    public string SectorName => $"s-t0{MinerId}-{SectorNumber}";
}
