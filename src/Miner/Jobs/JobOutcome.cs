namespace Kiln.Miner.Jobs;

/// <summary>How a tracked task ended (or that it has not yet).</summary>
public enum JobOutcome
{
    Running,
    Succeeded,
    Failed,
    Aborted,
}
