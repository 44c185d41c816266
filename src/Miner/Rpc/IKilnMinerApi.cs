using Kiln.Api;
using Kiln.Api.Types;
using Kiln.Miner.Proving;

namespace Kiln.Miner.Rpc;

/// <summary>The sealing-pipeline methods kiln-miner's CLI uses, named and permissioned as lotus-miner's (PledgeSector, SectorsList, SectorsStatus, the batching methods) plus the job history.</summary>
[RpcNamespace("Filecoin")]
public interface IKilnMinerApi
{
    [Perm(Permission.Write)]
    Task<SectorId> PledgeSectorAsync(CancellationToken ct);

    [Perm(Permission.Read)]
    Task<IReadOnlyList<ulong>> SectorsListAsync(CancellationToken ct);

    [Perm(Permission.Read)]
    Task<SectorStatus> SectorsStatusAsync(ulong sector, bool showOnChainInfo, CancellationToken ct);

    /// <summary>Lotus <c>SectorPreCommitFlush</c>: sends the pre-commit batch now; one result per message (null when nothing waited).</summary>
    [Perm(Permission.Admin)]
    Task<IReadOnlyList<PreCommitBatchRes>?> SectorPreCommitFlushAsync(CancellationToken ct);

    /// <summary>Lotus <c>SectorPreCommitPending</c>: the sectors waiting for the next pre-commit batch message.</summary>
    [Perm(Permission.Admin)]
    Task<IReadOnlyList<SectorId>> SectorPreCommitPendingAsync(CancellationToken ct);

    /// <summary>Lotus <c>SectorCommitFlush</c>: sends the commit batch now; one result per message (null when nothing waited).</summary>
    [Perm(Permission.Admin)]
    Task<IReadOnlyList<CommitBatchRes>?> SectorCommitFlushAsync(CancellationToken ct);

    /// <summary>Lotus <c>SectorCommitPending</c>: the sectors waiting for the next commit (aggregate) message.</summary>
    [Perm(Permission.Admin)]
    Task<IReadOnlyList<SectorId>> SectorCommitPendingAsync(CancellationToken ct);

    /// <summary>Lotus <c>SectorsUpdate</c> (<c>sectors update-state</c>): forces the sector into the named state and resumes it there.</summary>
    [Perm(Permission.Admin)]
    Task SectorsUpdateAsync(ulong sector, string state, CancellationToken ct);

    /// <summary><c>sectors retry</c>: a Failed sector runs the step it failed in again; returns that state's name.</summary>
    [Perm(Permission.Admin)]
    Task<string> KilnSectorsRetryAsync(ulong sector, CancellationToken ct);

    /// <summary>
    /// Devnet only (<c>kiln-miner devnet fail-sector N [--off]</c>, <c>devnet --fail-sector N</c>): makes sector
    /// <paramref name="sector"/> unreadable to PoSt reads (<paramref name="failed"/>) or readable again; returns the
    /// sectors failed now. A miner on a full node refuses it.
    /// </summary>
    [Perm(Permission.Admin)]
    Task<IReadOnlyList<ulong>> KilnDevnetFailSectorAsync(ulong sector, bool failed, CancellationToken ct);

    /// <summary><c>sectors abort</c>: the sector stops sealing and goes to Removed (not allowed for a Proving sector).</summary>
    [Perm(Permission.Admin)]
    Task KilnSectorsAbortAsync(ulong sector, CancellationToken ct);

    /// <summary>The job tracker's newest entries (Kiln's; Lotus has no equivalent).</summary>
    [Perm(Permission.Read)]
    Task<IReadOnlyList<JobEntry>> KilnJobHistoryAsync(int limit, CancellationToken ct);

    /// <summary>The window and winning PoSt workers with their in-flight proofs (Kiln's <c>proving workers</c>).</summary>
    [Perm(Permission.Read)]
    Task<IReadOnlyList<PoStWorkerStats>> KilnProvingWorkersAsync(CancellationToken ct);

    /// <summary>All 48 deadlines: sectors assigned and the last Window PoSt of each.</summary>
    [Perm(Permission.Read)]
    Task<IReadOnlyList<ProvingDeadline>> KilnProvingDeadlinesAsync(CancellationToken ct);

    [Perm(Permission.Read)]
    Task<ProvingInfo> KilnProvingInfoAsync(CancellationToken ct);

    /// <summary>The newest Window PoSt of deadline <paramref name="index"/> step by step (Kiln's <c>proving deadline N</c>).</summary>
    [Perm(Permission.Read)]
    Task<ProvingDeadlineTimeline> KilnProvingDeadlineAsync(int index, CancellationToken ct);

    /// <summary>
    /// Every live sector of deadline <paramref name="index"/>'s partitions checked as Lotus's CheckProvable checks them
    /// (Kiln's <c>proving check N</c>): a vanilla proof read for fresh challenges through the PoSt readers.
    /// </summary>
    [Perm(Permission.Admin)]
    Task<IReadOnlyList<ProvingCheckRow>> KilnProvingCheckAsync(int index, CancellationToken ct);
}
