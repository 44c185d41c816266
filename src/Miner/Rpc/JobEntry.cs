namespace Kiln.Miner.Rpc;

/// <summary>One row of the job tracker as the CLI shows it.</summary>
public sealed record JobEntry(Guid CallID, string Hostname, Guid Worker, ulong Sector, string Task, DateTimeOffset Start, DateTimeOffset? End, long? DurationNs, string Outcome, string? Error);
