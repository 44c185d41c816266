namespace Kiln.Miner.Sealing;

/// <summary>Sector states, named as Lotus's sealing FSM names them, for the stages Kiln runs so far.</summary>
public enum SectorState
{
    /// <summary>Pieces (for CC: one zero piece) are being added.</summary>
    Packing,

    /// <summary>SDR labeling on a PC1 worker.</summary>
    PreCommit1,

    /// <summary>PC1 done; waits for PreCommit2, the next stage Kiln will run once PC2 exists.</summary>
    WaitPreCommit2,

    /// <summary>A stage failed for good; the error says which and why.</summary>
    Failed,
}
