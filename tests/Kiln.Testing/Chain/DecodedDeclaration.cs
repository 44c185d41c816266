namespace Kiln.Testing.Chain;

/// <summary>One go-state-types miner <c>FaultDeclaration</c> or <c>RecoveryDeclaration</c>: (Deadline, Partition, Sectors) with the sectors decoded.</summary>
public sealed record DecodedDeclaration(ulong Deadline, ulong Partition, IReadOnlyList<ulong> Sectors);
