namespace Kiln.Api.Types;

/// <summary>
/// Lotus <c>storiface.WorkerStats</c>: one worker in the miner's <c>WorkerStats</c>. <c>TaskCounts</c> is keyed by
/// <see cref="TaskTypes.SealTaskKey"/> strings (<c>"8:seal/v0/precommit/1"</c>).
/// </summary>
public sealed record WorkerStats(
    WorkerInfo Info,
    IReadOnlyList<TaskType>? Tasks,
    bool Enabled,
    ulong MemUsedMin,
    ulong MemUsedMax,
    double GpuUsed,
    ulong CpuUse,
    IReadOnlyDictionary<string, int>? TaskCounts);
