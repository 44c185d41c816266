namespace Kiln.Miner.Mining;

/// <summary>The network constants the mining loop follows (Lotus build/buildconstants), defaulting to mainnet's.</summary>
public sealed class MiningOptions
{
    /// <summary>
    /// Lotus buildconstants.PropagationDelaySecs: how long after its base's timestamp a round starts, so blocks of
    /// the base's height that arrive late still join it (mainnet and calibnet 10 s, 2k devnets 1 s).
    /// </summary>
    public TimeSpan PropagationDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Lotus buildconstants.TicketRandomnessLookback: the ticket is drawn for round − this.</summary>
    public long TicketRandomnessLookback { get; set; } = 1;

    /// <summary>
    /// Lotus buildconstants.UpgradeSmokeHeight: past it the ticket's entropy carries the base's min ticket
    /// (mainnet 51000, long past; calibnet −2; 2k devnets −1). Default −1: every round of a live network.
    /// </summary>
    public long UpgradeSmokeHeight { get; set; } = -1;

    /// <summary>
    /// Whether a round with no block is followed, once the next epoch's time passes with the same head, by a round
    /// on the same base one null round further (Lotus's <c>NullRounds</c>). Needs block timestamps in the head.
    /// </summary>
    public bool MineNullRounds { get; set; } = true;

    /// <summary>How many past rounds <see cref="MiningLoop.Rounds"/> keeps.</summary>
    public int History { get; set; } = 200;
}
