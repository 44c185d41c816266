using Kiln.Api.Types;
using Kiln.Miner.Workers;
using Kiln.Proofs;

namespace Kiln.Miner.Scheduling;

/// <summary>Which workers may run a request, and which of two is better (lotus sched selectors).</summary>
public interface IWorkerSelector
{
    /// <summary>Whether <paramref name="worker"/> can take the task at all (supports it, has the right storage).</summary>
    ValueTask<bool> OkAsync(WorkerHandle worker, TaskType task, RegisteredSealProof proof, CancellationToken ct);

    /// <summary>Negative when <paramref name="a"/> is the better choice, positive when <paramref name="b"/> is, 0 when equal.</summary>
    int Compare(WorkerHandle a, WorkerHandle b, TaskType task);
}
