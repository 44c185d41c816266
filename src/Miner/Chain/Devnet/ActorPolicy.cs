using System.Numerics;

namespace Kiln.Miner.Chain.Devnet;

/// <summary>
/// The miner actor's policy the devnet enforces (go-state-types builtin/v18/miner/policy.go and exitcode, mainnet
/// values), and the devnet's own amounts where Lotus computes them from network power.
/// </summary>
public static class ActorPolicy
{
    /// <summary>builtin.EpochsInDay (30-second epochs).</summary>
    public const long EpochsInDay = 2880;

    /// <summary>ChainFinality.</summary>
    public const long ChainFinality = 900;

    /// <summary>MaxPreCommitRandomnessLookback = EpochsInDay + ChainFinality: the oldest seal randomness a pre-commit may use.</summary>
    public const long MaxPreCommitRandomnessLookback = EpochsInDay + ChainFinality;

    /// <summary>MinSectorExpiration: a sector lives at least 180 days.</summary>
    public const long MinSectorExpiration = 180 * EpochsInDay;

    /// <summary>MaxSectorExpirationExtension: a sector expires at most 1278 days from now.</summary>
    public const long MaxSectorExpirationExtension = 1278 * EpochsInDay;

    /// <summary>MaxProveCommitDuration of the V1_1 seal proofs: 30 days plus PreCommitChallengeDelay (150 on mainnet).</summary>
    public const long MaxProveCommitDuration = (30 * EpochsInDay) + 150;

    /// <summary>PreCommitSectorBatchMaxSize.</summary>
    public const int PreCommitSectorBatchMaxSize = 256;

    /// <summary>MaxAggregatedSectors: the most sectors one aggregate proof may cover.</summary>
    public const int MaxAggregatedSectors = 819;

    /// <summary>abi.MaxSectorNumber (math.MaxInt64).</summary>
    public const ulong MaxSectorNumber = long.MaxValue;

    /// <summary>exitcode.ErrSerialization: the params did not decode.</summary>
    public const long ErrSerialization = 21;

    /// <summary>exitcode.ErrUnhandledMessage: the actor has no such method.</summary>
    public const long ErrUnhandledMessage = 22;

    /// <summary>The devnet's pre-commit deposit per byte of sector, attoFIL (about 0.2 FIL for 32 GiB).</summary>
    public static readonly BigInteger PreCommitDepositPerByte = 6_000_000;

    /// <summary>The devnet's initial pledge per byte of sector, attoFIL (about 0.4 FIL for 32 GiB).</summary>
    public static readonly BigInteger InitialPledgePerByte = 12_000_000;
}
