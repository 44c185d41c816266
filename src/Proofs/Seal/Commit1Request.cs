using Kiln.Proofs.Pieces;

namespace Kiln.Proofs.Seal;

/// <summary>The arguments of seal_commit_phase1: where the sealed sector is, who sealed it, its randomness, commitments and pieces.</summary>
public sealed record Commit1Request(
    SealProofInfo Proof,
    string CacheDir,
    string ReplicaPath,
    byte[] ProverId,
    ulong SectorNumber,
    byte[] Ticket,
    byte[] Seed,
    byte[] CommR,
    byte[] CommD,
    IReadOnlyList<PieceCommitment> Pieces);
