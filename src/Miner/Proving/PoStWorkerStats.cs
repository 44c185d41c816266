using Kiln.Miner.Workers;

namespace Kiln.Miner.Proving;

/// <summary>One PoSt worker as <c>proving workers</c> shows it.</summary>
public sealed record PoStWorkerStats(Guid Id, string Hostname, WorkerKind Kind, bool Enabled, int InFlight, int MaxInFlight, long Completed, long Failed);
