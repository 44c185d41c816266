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

    /// <summary>PreCommit2 done: the sector's pre-commit waits in the pre-commit batch (Lotus SubmitPreCommitBatch).</summary>
    SubmitPreCommitBatch,

    /// <summary>The batch's PreCommitSectorBatch2 message is sent; waiting for it on chain (Lotus PreCommitBatchWait).</summary>
    PreCommitBatchWait,

    /// <summary>Pre-committed on chain; waits PreCommitChallengeDelay for the interactive seed.</summary>
    WaitSeed,

    /// <summary>Commit1 (vanilla PoRep proofs) and Commit2 (the SNARK).</summary>
    Committing,

    /// <summary>The proof waits in the commit batch (Lotus SubmitCommitAggregate).</summary>
    SubmitCommitAggregate,

    /// <summary>The batch's ProveCommitSectors3 message is sent; waiting for it on chain and the sector active (Lotus CommitAggregateWait).</summary>
    CommitAggregateWait,

    /// <summary>Proven and active on chain; the cache is being cleared down to what PoSt needs.</summary>
    FinalizeSector,

    /// <summary>Sealed and finalized: the sector takes part in PoSt.</summary>
    Proving,

    /// <summary>
    /// The pre-commit failed on chain (a non-zero exit code, the message or the pre-commit gone from the chain) or could
    /// not be sent; retried as Lotus's states_failed.go handlePreCommitFailed does. The error says why.
    /// </summary>
    PreCommitFailed,

    /// <summary>The prove-commit failed on chain or could not be sent; retried as Lotus's handleCommitFailed does.</summary>
    CommitFailed,

    /// <summary>A stage failed with a permanent error; the error says which and why, <c>sectors retry</c> runs the stage again.</summary>
    Failed,

    /// <summary>Aborted by the operator (<c>sectors abort</c>, Lotus's Removed): never sealed further, its number never reused.</summary>
    Removed,
}
