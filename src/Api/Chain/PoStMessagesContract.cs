// Signatures of the PoSt messages' params; bodies to follow (each type moves to its own file with its implementation).
#pragma warning disable CA1822, IDE0060, CA1819, CS1591
using Kiln.Api.Types;

namespace Kiln.Api.Chain;

/// <summary>go-state-types miner.PoStPartition: a 2-tuple (Index, Skipped RLE+ bitfield).</summary>
public sealed record PoStPartition(ulong Index, BitField Skipped);

/// <summary>go-state-types miner.SubmitWindowedPoStParams: a 5-tuple (Deadline, Partitions, Proofs, ChainCommitEpoch, ChainCommitRand).</summary>
public sealed record SubmitWindowedPoStParams(ulong Deadline, IReadOnlyList<PoStPartition> Partitions, IReadOnlyList<PoStProof> Proofs, long ChainCommitEpoch, byte[] ChainCommitRand)
{
    public byte[] ToCbor() => throw new NotImplementedException();
    public static SubmitWindowedPoStParams FromCbor(ReadOnlyMemory<byte> cbor) => throw new NotImplementedException();
}

/// <summary>go-state-types miner.FaultDeclaration: a 3-tuple (Deadline, Partition, Sectors RLE+ bitfield).</summary>
public sealed record FaultDeclaration(ulong Deadline, ulong Partition, BitField Sectors);

/// <summary>go-state-types miner.DeclareFaultsParams: a 1-tuple of the declarations.</summary>
public sealed record DeclareFaultsParams(IReadOnlyList<FaultDeclaration> Faults)
{
    public byte[] ToCbor() => throw new NotImplementedException();
    public static DeclareFaultsParams FromCbor(ReadOnlyMemory<byte> cbor) => throw new NotImplementedException();
}

/// <summary>go-state-types miner.RecoveryDeclaration: a 3-tuple (Deadline, Partition, Sectors RLE+ bitfield).</summary>
public sealed record RecoveryDeclaration(ulong Deadline, ulong Partition, BitField Sectors);

/// <summary>go-state-types miner.DeclareFaultsRecoveredParams: a 1-tuple of the declarations.</summary>
public sealed record DeclareFaultsRecoveredParams(IReadOnlyList<RecoveryDeclaration> Recoveries)
{
    public byte[] ToCbor() => throw new NotImplementedException();
    public static DeclareFaultsRecoveredParams FromCbor(ReadOnlyMemory<byte> cbor) => throw new NotImplementedException();
}
