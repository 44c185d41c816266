namespace Kiln.Miner.Sealing;

/// <summary>
/// The pre-commit and commit batches waiting to be sent (Lotus storage/pipeline/precommit_batch.go and commit_batch.go
/// Pending and Flush, behind <c>lotus-miner sectors batching precommit|commit [--publish-now]</c>).
/// </summary>
public interface IBatchQueues
{
    /// <summary>The sectors waiting in the pre-commit batch, by number, with when each joined.</summary>
    IReadOnlyList<PendingBatchEntry> PendingPreCommits { get; }

    /// <summary>The sectors waiting in the commit batch, by number, with when each joined.</summary>
    IReadOnlyList<PendingBatchEntry> PendingCommits { get; }

    /// <summary>Sends the pre-commit batch now; the messages sent (empty when nothing waited).</summary>
    Task<IReadOnlyList<BatchResult>> FlushPreCommitsAsync(CancellationToken cancellationToken);

    /// <summary>Sends the commit batch now; the messages sent (empty when nothing waited).</summary>
    Task<IReadOnlyList<BatchResult>> FlushCommitsAsync(CancellationToken cancellationToken);
}
