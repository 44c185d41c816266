namespace Kiln.Miner.Proving;

/// <summary>The last Window PoSt of one deadline: when its window opened, what was proven or skipped, and how it ended.</summary>
public sealed record DeadlineRecord(int Index, long OpenEpoch, int Sectors, int Skipped, int Partitions, DateTimeOffset Proven, string Outcome, string? Error);
