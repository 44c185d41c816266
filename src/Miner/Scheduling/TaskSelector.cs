using Kiln.Api.Types;
using Kiln.Miner.Workers;
using Kiln.Proofs;

namespace Kiln.Miner.Scheduling;

/// <summary>Any worker that supports the task; prefer specialists (fewer task types), as Lotus's task selector does.</summary>
public sealed class TaskSelector : IWorkerSelector
{
    public static TaskSelector Instance { get; } = new();

    public ValueTask<bool> OkAsync(WorkerHandle worker, TaskType task, RegisteredSealProof proof, CancellationToken ct) =>
        ValueTask.FromResult(worker.Tasks.Contains(task));

    public int Compare(WorkerHandle a, WorkerHandle b, TaskType task) => a.Tasks.Count.CompareTo(b.Tasks.Count);
}
