namespace Kiln.Testing.Chain;

/// <summary>
/// One go-state-types builtin/v16/miner <c>SectorPreCommitInfo</c> as decoded from a PreCommitSectorBatch2 message:
/// the 7-tuple (SealProof, SectorNumber, SealedCID, SealRandEpoch, DealIDs, Expiration, UnsealedCid).
/// SealedCid: CID bytes (codec fil-commitment-sealed, multihash poseidon).
/// CommR: The 32-byte comm_r digest of <paramref name="SealedCid"/>.
/// UnsealedCid: CID bytes (codec fil-commitment-unsealed), or null as cbor-gen writes a nil pointer.
/// </summary>
public sealed record DecodedSectorPreCommit(
    long SealProof,
    ulong SectorNumber,
    byte[] SealedCid,
    byte[] CommR,
    long SealRandEpoch,
    IReadOnlyList<ulong> DealIds,
    long Expiration,
    byte[]? UnsealedCid)
{
    /// <summary>The sealed CID as text.</summary>
    public string SealedCidText => CidText.Encode(SealedCid);
}
