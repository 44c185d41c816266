namespace Kiln.Miner.Calls;

/// <summary>Where a persisted work is (Lotus <c>WorkState.Status</c>).</summary>
public enum WorkStatus
{
    /// <summary>Being dispatched; no worker has accepted it yet (re-dispatched after a restart).</summary>
    Start,

    /// <summary>A worker accepted it and answered with a CallID; the miner waits for its Return*.</summary>
    Running,

    /// <summary>The result arrived and is kept until the caller takes it.</summary>
    Done,
}
