namespace Kiln.Miner.Rpc;

/// <summary>
/// One of the 48 deadlines as <c>proving deadlines</c> shows it: its Proving sectors, its last Window PoSt, if any,
/// and how long that took from randomness to verified proof (nanoseconds, as Go durations).
/// </summary>
public sealed record ProvingDeadline(int Index, int Sectors, long? LastOpenEpoch, DateTimeOffset? LastProven, int Skipped, string Outcome, string? Error, long? TookNs = null);
