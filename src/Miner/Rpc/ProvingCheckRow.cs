namespace Kiln.Miner.Rpc;

/// <summary>One sector of <c>proving check</c> (Lotus cli/miner/proving.go provingCheckProvableCmd): null <see cref="Bad"/> is good.</summary>
public sealed record ProvingCheckRow(int Deadline, int Partition, ulong Sector, string? Bad);
