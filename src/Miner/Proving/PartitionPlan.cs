using Kiln.Api.Types;

namespace Kiln.Miner.Proving;

/// <summary>
/// One partition of a Window PoSt batch: its index in the deadline, the sectors the chain has it prove (live less
/// faulty, plus recovering) and those of them this miner holds (the proof's sectors).
/// </summary>
public sealed record PartitionPlan(int Index, BitField ToProve, IReadOnlyList<ProvingSector> Good);
