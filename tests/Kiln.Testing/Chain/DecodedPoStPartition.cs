namespace Kiln.Testing.Chain;

/// <summary>One go-state-types miner <c>PoStPartition</c> of a SubmitWindowedPoSt message: (Index, Skipped) with the skipped sectors decoded.</summary>
public sealed record DecodedPoStPartition(ulong Index, IReadOnlyList<ulong> Skipped);
