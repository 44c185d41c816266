using Kiln.Api.Types;
using Kiln.Miner.Workers;
using Kiln.Proofs;

namespace Kiln.Miner.Scheduling;

/// <summary>Which workers may run a request, and which of two is better (lotus sched selectors).</summary>
public interface IWorkerSelector
{
    /// <summary>Whether <paramref name="worker"/> can take the task at all (supports it, has the right storage).</summary>
    ValueTask<bool> OkAsync(WorkerHandle worker, TaskType task, RegisteredSealProof proof, CancellationToken ct);

    /// <summary>
    /// A scheduling pass is about to ask <see cref="OkAsync"/> about candidate workers for one request: until
    /// <see cref="EndPass"/> the selector may read what does not depend on the worker (the index) once.
    /// </summary>
    void BeginPass()
    {
    }

    /// <summary>The pass is done with this request: what <see cref="BeginPass"/> let the selector keep is dropped.</summary>
    void EndPass()
    {
    }

    /// <summary>Negative when <paramref name="a"/> is the better choice, positive when <paramref name="b"/> is, 0 when equal.</summary>
    int Compare(WorkerHandle a, WorkerHandle b, TaskType task);
}
