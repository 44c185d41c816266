using Kiln.Proofs;

namespace Kiln.Api.Types;

/// <summary>
/// Lotus <c>storiface.WorkerResources</c>: a worker's memory (bytes), logical cores, GPU names and resource table
/// (<c>{"&lt;task type&gt;":{"&lt;seal proof&gt;":Resources}}</c>; null = the default table).
/// </summary>
public sealed record WorkerResources(
    ulong MemPhysical,
    ulong MemUsed,
    ulong MemSwap,
    ulong MemSwapUsed,
    ulong CPUs,
    IReadOnlyList<string>? GPUs,
    IReadOnlyDictionary<TaskType, IReadOnlyDictionary<RegisteredSealProof, Resources>>? Resources);
