namespace Kiln.Miner.Sealing;

/// <summary>Sector states, named as Lotus's sealing FSM names them, in the order a CC sector passes them.</summary>
public enum SectorState
{
    /// <summary>Pieces (for CC: one zero piece) are being added.</summary>
    Packing,

    /// <summary>SDR labeling on a PC1 worker.</summary>
    PreCommit1,

    /// <summary>tree_c, the replica encoding and tree_r_last on a PC2 worker; ends with comm_r.</summary>
    PreCommit2,

    /// <summary>Pre-committed; waits for the interactive seed (the devnet chain gives it at once).</summary>
    WaitSeed,

    /// <summary>Commit1 (vanilla PoRep proofs) and Commit2 (the SNARK).</summary>
    Committing,

    /// <summary>Proven; the cache is being cleared down to what PoSt needs.</summary>
    FinalizeSector,

    /// <summary>Sealed and finalized: the sector takes part in PoSt.</summary>
    Proving,

    /// <summary>A stage failed with a permanent error; the error says which and why, <c>sectors retry</c> runs the stage again.</summary>
    Failed,

    /// <summary>Aborted by the operator (<c>sectors abort</c>, Lotus's Removed): never sealed further, its number never reused.</summary>
    Removed,
}
