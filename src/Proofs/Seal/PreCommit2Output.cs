using Kiln.Proofs.Multiformats;

namespace Kiln.Proofs.Seal;

/// <summary>What PreCommit2 produces: comm_d and comm_r (Lotus's SectorCids) and the two commitments comm_r is made of.</summary>
public sealed record PreCommit2Output(SealProofInfo Proof, byte[] CommD, byte[] CommR, byte[] CommC, byte[] CommRLast)
{
    /// <summary>SectorCids.Unsealed: the <c>baga…</c> piece CID of comm_d.</summary>
    public string UnsealedCid => CommCid.ToPieceCid(CommD);

    /// <summary>SectorCids.Sealed: the <c>bagboea…</c> CID of comm_r.</summary>
    public string SealedCid => CommCid.ToSealedCid(CommR);
}
