using Kiln.Proofs;

namespace Kiln.Api.Types;

/// <summary>
/// Lotus <c>storiface.PostSectorChallenge</c>: one sector to prove with its challenges, as the miner computed them.
/// <c>Update</c> means the sector is a snap-deal replica (prove <c>update</c>/<c>update-cache</c>).
/// </summary>
public sealed record PostSectorChallenge(
    RegisteredSealProof SealProof,
    ulong SectorNumber,
    Cid SealedCID,
    IReadOnlyList<ulong>? Challenge,
    bool Update);
