namespace Kiln.Miner.Chain;

/// <summary>
/// The chain parameters sealing reads: go-state-types builtin/v16/miner/policy.go (mainnet values) and Lotus
/// build/buildconstants. Those a network sets differently (PreCommitChallengeDelay, the block delay) come from the
/// node's <c>StateGetNetworkParams</c> at run time, not from here.
/// </summary>
public static class ChainPolicy
{
    /// <summary>Epochs in a day at 30 s epochs (builtin.EpochsInDay).</summary>
    public const long EpochsInDay = 2880;

    /// <summary>Epochs after which the chain is final (ChainFinality).</summary>
    public const int ChainFinality = 900;

    /// <summary>
    /// Epochs behind the head a seal ticket is drawn (Lotus chain/actors/policy SealRandomnessLookback = ChainFinality):
    /// a ticket from a final tipset cannot be reorganised away.
    /// </summary>
    public const int SealRandomnessLookback = ChainFinality;

    /// <summary>
    /// The oldest seal ticket a pre-commit may use (miner policy MaxPreCommitRandomnessLookback = EpochsInDay +
    /// SealRandomnessLookback); Lotus storage/pipeline/states_sealing.go MaxTicketAge is this value.
    /// </summary>
    public const long MaxPreCommitRandomnessLookback = EpochsInDay + SealRandomnessLookback;

    /// <summary>Mainnet's PreCommitChallengeDelay: epochs after a pre-commit lands that its interactive seed is drawn.</summary>
    public const int PreCommitChallengeDelay = 150;

    /// <summary>
    /// Epochs Lotus waits past the seed epoch before reading the seed, so a small reorganisation cannot change it
    /// (Lotus storage/pipeline/constants.go InteractivePoRepConfidence).
    /// </summary>
    public const int InteractivePoRepConfidence = 6;

    /// <summary>Epochs on top of a message's tipset before Lotus's sealing trusts its receipt (buildconstants MessageConfidence).</summary>
    public const ulong MessageConfidence = 5;

    /// <summary>The shortest sector lifetime (miner policy MinSectorExpiration: 180 days).</summary>
    public const long MinSectorExpiration = 180 * EpochsInDay;

    /// <summary>The longest a sector's expiration may be from now (miner policy MaxSectorExpirationExtension, v16: 1278 days).</summary>
    public const long MaxSectorExpirationExtension = 1278 * EpochsInDay;

    /// <summary>The Window PoSt proving period (WPoStProvingPeriod: a day).</summary>
    public const long WPoStProvingPeriod = EpochsInDay;

    /// <summary>At most this many sectors in one PreCommitSectorBatch2 (miner policy PreCommitSectorBatchMaxSize).</summary>
    public const int PreCommitSectorBatchMaxSize = 256;

    /// <summary>Aggregates prove at least this many sectors (miner policy MinAggregatedSectors).</summary>
    public const int MinAggregatedSectors = 4;

    /// <summary>Aggregates prove at most this many sectors (miner policy MaxAggregatedSectors).</summary>
    public const int MaxAggregatedSectors = 819;

    /// <summary>The seal proof type's limit on the time from pre-commit to prove-commit (v1.1 proofs: 30 days + the challenge delay).</summary>
    public static long MaxProveCommitDuration(long preCommitChallengeDelay) => (30 * EpochsInDay) + preCommitChallengeDelay;
}
