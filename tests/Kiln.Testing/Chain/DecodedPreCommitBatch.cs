using System.Numerics;

namespace Kiln.Testing.Chain;

/// <summary>A PreCommitSectorBatch2 message (method 28) as the stand-in decoded it.
/// MessageCid: The signed message's CID text.
/// Params: The raw params bytes.
/// </summary>
public sealed record DecodedPreCommitBatch(
    string MessageCid,
    string From,
    string To,
    BigInteger Value,
    long GasLimit,
    BigInteger GasFeeCap,
    BigInteger GasPremium,
    BigInteger? MaxFee,
    byte[] Params,
    IReadOnlyList<DecodedSectorPreCommit> Sectors);
