using System.Numerics;

namespace Kiln.Testing.Chain;

/// <summary>A ProveCommitSectors3 message (method 34) as the stand-in decoded it; proofs are kept to compare with C2's output.
/// Params: The raw params bytes.
/// AggregateProof: Empty when the message carries one proof per sector.
/// </summary>
public sealed record DecodedProveCommit(
    string MessageCid,
    string From,
    string To,
    BigInteger Value,
    long GasLimit,
    BigInteger GasFeeCap,
    BigInteger GasPremium,
    BigInteger? MaxFee,
    byte[] Params,
    IReadOnlyList<DecodedSectorActivation> Activations,
    IReadOnlyList<byte[]> SectorProofs,
    byte[] AggregateProof,
    long? AggregateProofType,
    bool RequireActivationSuccess,
    bool RequireNotificationSuccess);
