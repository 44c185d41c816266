namespace Kiln.Worker.Tests.Run;

/// <summary>How a <see cref="SwitchableMiner"/> process behaves.</summary>
public enum MinerState
{
    /// <summary>Answers.</summary>
    Up,

    /// <summary>Refuses every call (a closed port).</summary>
    Down,

    /// <summary>Never answers (stopped or partitioned): calls end only when cancelled.</summary>
    Hung,
}
