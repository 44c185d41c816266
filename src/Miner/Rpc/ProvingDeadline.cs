namespace Kiln.Miner.Rpc;

/// <summary>One of the 48 deadlines as <c>proving deadlines</c> shows it: its Proving sectors and its last Window PoSt, if any.</summary>
public sealed record ProvingDeadline(int Index, int Sectors, long? LastOpenEpoch, DateTimeOffset? LastProven, int Skipped, string Outcome, string? Error);
