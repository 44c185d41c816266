using Kiln.Miner.Proving;
using Kiln.Miner.Rpc;

namespace Kiln.Miner.Ui;

/// <summary>
/// Everything the dashboard page shows but a deadline's timeline, read at one moment: one answer per poll.
/// Jobs are the job tracker's newest, newest first; deadlines are all 48; <c>Now</c> is the miner's clock when the
/// snapshot was taken, which running jobs' ages are measured against.
/// </summary>
public sealed record DashboardSnapshot(
    DateTimeOffset Now,
    string Actor,
    IReadOnlyList<DashboardWorker> Workers,
    IReadOnlyList<JobEntry> Jobs,
    IReadOnlyList<DashboardSector> Sectors,
    IReadOnlyList<DashboardStoragePath> Storage,
    ProvingInfo Proving,
    IReadOnlyList<PoStWorkerStats> PoStWorkers,
    IReadOnlyList<ProvingDeadline> Deadlines);
