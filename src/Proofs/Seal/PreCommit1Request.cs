using Kiln.Proofs.Pieces;

namespace Kiln.Proofs.Seal;

/// <summary>What PreCommit1 needs: the proof, the sector's three paths, its identity, the ticket and its pieces.</summary>
public sealed record PreCommit1Request(
    SealProofInfo Proof,
    string UnsealedPath,
    string SealedPath,
    string CacheDir,
    ulong MinerId,
    ulong SectorNumber,
    byte[] Ticket,
    IReadOnlyList<PieceCommitment> Pieces);
