using Kiln.Api.Types;

namespace Kiln.Miner.Proving;

/// <summary>A verified Window PoSt of a batch: the merged proof, the sectors it proves and the ones skipped as unreadable.</summary>
public sealed record WindowPoStOutcome(PoStProof Proof, IReadOnlyList<ulong> Proven, IReadOnlyList<ulong> Skipped, int Partitions, bool Local);
