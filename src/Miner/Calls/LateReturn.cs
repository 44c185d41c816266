namespace Kiln.Miner.Calls;

/// <summary>What the <see cref="WorkStore"/> did with a worker's result for a call the miner had given up.</summary>
public enum LateReturn
{
    /// <summary>The store gave up no persisted work under that call (or already has its late result).</summary>
    Unknown,

    /// <summary>The result was kept for the work's next dispatch (Lotus keeps results by WorkID, <c>m.results</c>).</summary>
    Kept,

    /// <summary>The call was given up, but the late result was an error: it is dropped and the work will be done again.</summary>
    Dropped,
}
