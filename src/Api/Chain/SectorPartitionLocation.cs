namespace Kiln.Api.Chain;

/// <summary>Lotus <c>miner.SectorLocation</c> (StateSectorPartition): the deadline and partition holding a sector.</summary>
public sealed record SectorPartitionLocation(ulong Deadline, ulong Partition);
