using Kiln.Miner.Proving;

namespace Kiln.Miner.Rpc;

/// <summary>What <c>proving deadline N</c> shows: the deadline's Proving sectors and the steps of its newest Window PoSt.</summary>
public sealed record ProvingDeadlineTimeline(int Index, int Sectors, IReadOnlyList<PoStTimelineEntry> Steps);
