namespace Kiln.Miner.Mining;

/// <summary>How a mining round ended.</summary>
public enum MiningRoundOutcome
{
    /// <summary>The miner won: a block was created and submitted.</summary>
    Won,

    /// <summary>The election drew no win: no Winning PoSt, no block.</summary>
    Lost,

    /// <summary>The base info says the miner may not mine (no power, nothing eligible): no election.</summary>
    NotEligible,

    /// <summary>The round failed (chain unreachable, proof or block refused); <see cref="MiningRound.Error"/> says why.</summary>
    Failed,
}
