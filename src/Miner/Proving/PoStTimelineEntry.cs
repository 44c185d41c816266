namespace Kiln.Miner.Proving;

/// <summary>
/// One step of a PoSt proof as the job tracker keeps it. A Window PoSt deadline's timeline holds its
/// <c>randomness</c> draw, the <c>challenges</c> derived on the miner, each <c>partition</c> attempt (worker,
/// host, outcome) with the <c>vanilla</c> reads and the <c>snark</c> inside it, any <c>skip</c> (the batch proven
/// again without the skipped sectors), the <c>merge</c> of partition proofs, the <c>verify</c> and the whole
/// <c>deadline</c>. A Winning PoSt round has the same steps without partitions and merge.
/// </summary>
/// <param name="Proof"><see cref="WindowProof"/> or <see cref="WinningProof"/>.</param>
/// <param name="Epoch">The deadline's open epoch, or the winning round's epoch.</param>
/// <param name="Deadline">The deadline index; -1 for a winning round.</param>
/// <param name="Phase">randomness, challenges, partition, vanilla, snark, skip, merge, verify, deadline or round.</param>
/// <param name="Partition">The partition index for partition, vanilla and snark steps.</param>
/// <param name="Host">Where the step ran (the miner's host name for its own work).</param>
/// <param name="Worker">The PoSt worker; <see cref="Guid.Empty"/> for the miner itself.</param>
/// <param name="Start">When the step started on the miner's clock.</param>
/// <param name="End">When it ended.</param>
/// <param name="Sectors">Sectors the step covered.</param>
/// <param name="Outcome">Succeeded, Failed, Skipped or Aborted.</param>
/// <param name="Detail">What else there is to say (skipped sectors, the error, "worker-reported" times, hedging).</param>
public sealed record PoStTimelineEntry(
    string Proof,
    long Epoch,
    int Deadline,
    string Phase,
    int? Partition,
    string Host,
    Guid Worker,
    DateTimeOffset Start,
    DateTimeOffset End,
    int Sectors,
    string Outcome,
    string? Detail)
{
    public const string WindowProof = "window";

    public const string WinningProof = "winning";

    public TimeSpan Duration => End - Start;
}
