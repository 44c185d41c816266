namespace Kiln.Miner.Chain;

/// <summary>The chain parameters sealing reads (go-state-types builtin/v16/miner/policy.go, mainnet values).</summary>
public static class ChainPolicy
{
    /// <summary>Epochs after which the chain is final (ChainFinality).</summary>
    public const int ChainFinality = 900;

    /// <summary>
    /// Epochs behind the head a seal ticket is drawn (Lotus chain/actors/policy SealRandomnessLookback = ChainFinality):
    /// a ticket from a final tipset cannot be reorganised away.
    /// </summary>
    public const int SealRandomnessLookback = ChainFinality;

    /// <summary>Epochs after a pre-commit lands that its interactive seed is drawn (PreCommitChallengeDelay).</summary>
    public const int PreCommitChallengeDelay = 150;

    /// <summary>
    /// Epochs Lotus waits past the seed epoch before reading the seed, so a small reorganisation cannot change it
    /// (Lotus storage/pipeline/constants.go InteractivePoRepConfidence).
    /// </summary>
    public const int InteractivePoRepConfidence = 6;
}
