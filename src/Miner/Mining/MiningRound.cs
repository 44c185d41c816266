using Kiln.Api.Chain;
using Kiln.Api.Types;

namespace Kiln.Miner.Mining;

/// <summary>
/// One mining round as Lotus's "completed mineOne" log line reports it: the round, its base and null rounds, whether
/// it was late, the powers, the outcome, the block (when won) and the timing of each step.
/// </summary>
/// <param name="Round">The epoch mined for: base height + null rounds + 1.</param>
/// <param name="BaseHeight">The base tipset's height.</param>
/// <param name="NullRounds">Null rounds between the base and the round.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="WinCount">The election's win count (0 when not run or lost).</param>
/// <param name="Block">The submitted block's CID, when won.</param>
/// <param name="Error">Why it failed, when it did.</param>
/// <param name="Started">When the round started.</param>
/// <param name="Took">From start to the end (block submitted, or the round given up).</param>
/// <param name="LateStart">Lotus's isLate: the round started after its base's time + null rounds + the propagation delay.</param>
/// <param name="Steps">The time each step took, in order (base info, ticket, election, seed, proof, messages, create, submit).</param>
public sealed record MiningRound(
    long Round,
    long BaseHeight,
    long NullRounds,
    MiningRoundOutcome Outcome,
    long WinCount,
    Cid? Block,
    string? Error,
    DateTimeOffset Started,
    TimeSpan Took,
    bool LateStart,
    IReadOnlyList<(string Step, TimeSpan Took)> Steps)
{
    /// <summary>The election proof of a won round.</summary>
    public ElectionProof? ElectionProof { get; init; }

    /// <summary>The ticket of a round that drew one.</summary>
    public Ticket? Ticket { get; init; }

    /// <summary>The beacon entries the block carried.</summary>
    public IReadOnlyList<BeaconEntry> BeaconEntries { get; init; } = [];

    /// <summary>The Winning PoSt of a won round, and whether the miner proved it itself.</summary>
    public Proving.WinningPoStOutcome? WinningPoSt { get; init; }
}
