namespace Kiln.Testing.Chain;

/// <summary>A SubmitWindowedPoSt message (method 5) as the stand-in decoded it at push.
/// Params: The raw params bytes.
/// </summary>
public sealed record DecodedWindowPoSt(
    string MessageCid,
    string From,
    string To,
    byte[] Params,
    ulong Deadline,
    IReadOnlyList<DecodedPoStPartition> Partitions,
    IReadOnlyList<DecodedPoStProof> Proofs,
    long ChainCommitEpoch,
    byte[] ChainCommitRand);
