namespace Kiln.Miner.Scheduling;

/// <summary>Options of the sealing scheduler (lotus-miner's <c>[Storage]</c> scheduling settings).</summary>
public sealed class SchedulerOptions
{
    /// <summary>Lotus's <c>SchedWindows</c>: scheduling windows each worker keeps open.</summary>
    public const int DefaultWindows = 2;

    /// <summary>Lotus's <c>Storage.ParallelFetchLimit</c> default.</summary>
    public const int DefaultParallelFetchLimit = 10;

    /// <summary>
    /// Windows per worker. A window holds up to one worker's worth of resources; requests assigned to
    /// it wait on the worker (fetching their data meanwhile) until its running tasks leave room, and the
    /// window opens again once all its requests started. Two windows keep the next tasks' data moving
    /// while the current ones run.
    /// </summary>
    public int Windows { get; init; } = DefaultWindows;

    /// <summary>Prepare steps (fetches of sector data to the chosen worker) running at once across all workers.</summary>
    public int ParallelFetchLimit { get; init; } = DefaultParallelFetchLimit;

    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Windows, 1, nameof(Windows));
        ArgumentOutOfRangeException.ThrowIfLessThan(ParallelFetchLimit, 1, nameof(ParallelFetchLimit));
    }
}
