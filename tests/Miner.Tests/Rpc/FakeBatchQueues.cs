using Kiln.Api.Chain;
using Kiln.Miner.Sealing;

namespace Kiln.Miner.Tests.Rpc;

/// <summary>Batch queues with set contents: flushing hands out the prepared results once and empties the queue.</summary>
public sealed class FakeBatchQueues : IBatchQueues
{
    private static readonly DateTimeOffset s_added = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    public List<PendingBatchEntry> PreCommits { get; } = [];

    public List<PendingBatchEntry> Commits { get; } = [];

    public IReadOnlyList<BatchResult> PreCommitResults { get; set; } = [];

    public IReadOnlyList<BatchResult> CommitResults { get; set; } = [];

    /// <summary>When set, flushing the commit batch throws it (the sending failed before any message went out).</summary>
    public Exception? CommitFlushError { get; set; }

    public int PreCommitFlushes { get; private set; }

    public int CommitFlushes { get; private set; }

    public IReadOnlyList<PendingBatchEntry> PendingPreCommits => PreCommits;

    public IReadOnlyList<PendingBatchEntry> PendingCommits => Commits;

    public static PendingBatchEntry Entry(ulong sector) => new(sector, s_added, TokenAmount.Zero);

    public Task<IReadOnlyList<BatchResult>> FlushPreCommitsAsync(CancellationToken cancellationToken)
    {
        PreCommitFlushes++;
        PreCommits.Clear();
        var sent = PreCommitResults;
        PreCommitResults = [];
        return Task.FromResult(sent);
    }

    public Task<IReadOnlyList<BatchResult>> FlushCommitsAsync(CancellationToken cancellationToken)
    {
        CommitFlushes++;
        if (CommitFlushError is { } error)
        {
            return Task.FromException<IReadOnlyList<BatchResult>>(error);
        }

        Commits.Clear();
        var sent = CommitResults;
        CommitResults = [];
        return Task.FromResult(sent);
    }
}
