namespace Kiln.Miner.Proving;

/// <summary>One PoSt worker as <c>proving workers</c> shows it; <see cref="Task"/> is post/v0/windowproof or post/v0/winningproof.</summary>
public sealed record PoStWorkerStats(Guid Id, string Hostname, string Task, bool Enabled, int InFlight, int MaxInFlight, long Completed, long Failed);
