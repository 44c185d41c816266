using Kiln.Api.JsonRpc;
using Kiln.Api.Types;
using Kiln.Miner.Rpc;
using Kiln.Miner.Sealing;
using Kiln.Miner.Workers;

namespace Kiln.Miner.Ui;

/// <summary>
/// Reads what the <c>/ui</c> page shows from the same sources the CLI reads over RPC: the worker registry
/// (<c>sealing workers</c>), the job tracker (<c>sealing jobs</c>), the sealing pipeline (<c>sectors list</c>), the
/// sector index (<c>storage list</c>) and the proving service (<c>proving info | workers | deadlines | deadline N | check N</c>).
/// Read-only: nothing here changes the miner.
/// </summary>
public sealed class Dashboard(WorkerRegistry workers, MinerApi storage, KilnMinerApi kiln, SectorPipeline pipeline, TimeProvider time)
{
    /// <summary>How many of the job tracker's newest jobs a snapshot carries (running ones are always among them).</summary>
    public const int JobRows = 200;

    public async Task<DashboardSnapshot> SnapshotAsync(CancellationToken ct)
    {
        var sectors = (await pipeline.ListAsync(ct).ConfigureAwait(false))
            .Select(DashboardSector.From)
            .ToList();
        return new DashboardSnapshot(
            time.GetUtcNow(),
            await storage.ActorAddressAsync(ct).ConfigureAwait(false),
            [.. workers.Workers.Select(Worker)],
            await kiln.KilnJobHistoryAsync(JobRows, ct).ConfigureAwait(false),
            sectors,
            await StorageAsync(ct).ConfigureAwait(false),
            await kiln.KilnProvingInfoAsync(ct).ConfigureAwait(false),
            await kiln.KilnProvingWorkersAsync(ct).ConfigureAwait(false),
            await kiln.KilnProvingDeadlinesAsync(ct).ConfigureAwait(false));
    }

    /// <summary>The newest Window PoSt of deadline <paramref name="index"/> (0 to 47), step by step.</summary>
    public Task<ProvingDeadlineTimeline> DeadlineAsync(int index, CancellationToken ct) => kiln.KilnProvingDeadlineAsync(index, ct);

    /// <summary>
    /// <c>proving check</c> of deadline <paramref name="index"/>: every live sector of its partitions checked through
    /// the PoSt readers (<see cref="Proving.ProvingService.CheckProvableAsync(IReadOnlyCollection{ulong}, CancellationToken)"/>), a
    /// bad one with its reason. Reads only, but a vanilla proof per sector: the page runs it when asked.
    /// </summary>
    public Task<IReadOnlyList<ProvingCheckRow>> CheckAsync(int index, CancellationToken ct) => kiln.KilnProvingCheckAsync(index, ct);

    private static DashboardWorker Worker(WorkerHandle w) => new(
        w.Id,
        w.Info.Hostname,
        w.Url,
        w.Kind.ToString(),
        w.Enabled,
        [.. w.Tasks.OrderBy(TaskTypes.Order).Select(TaskTypes.ShortName)],
        w.Info.Resources.CPUs,
        w.Info.Resources.MemPhysical,
        w.Info.Resources.MemUsed,
        w.Info.Resources.GPUs ?? [],
        w.Connected,
        w.LastSeen);

    private async Task<IReadOnlyList<DashboardStoragePath>> StorageAsync(CancellationToken ct)
    {
        var local = await storage.StorageLocalAsync(ct).ConfigureAwait(false);
        var paths = new List<DashboardStoragePath>();
        foreach (var (id, decls) in (await storage.StorageListAsync(ct).ConfigureAwait(false)).OrderBy(p => p.Key.ToString(), StringComparer.Ordinal))
        {
            var info = await storage.StorageInfoAsync(id, ct).ConfigureAwait(false);
            var root = local.GetValueOrDefault(id);
            FsStat? stat = null;
            if (root is not null)
            {
                try
                {
                    stat = await storage.StorageStatAsync(id, ct).ConfigureAwait(false);
                }
                catch (RpcException)
                {
                    // A path that cannot be read shows without its figures; the index keeps its own health record.
                }
            }

            paths.Add(new DashboardStoragePath(
                id.ToString(),
                info.URLs ?? [],
                info.Weight,
                info.MaxStorage,
                info.CanSeal,
                info.CanStore,
                decls.Count(d => (d.SectorFileType & SectorFileType.Unsealed) != 0),
                decls.Count(d => (d.SectorFileType & SectorFileType.Sealed) != 0),
                decls.Count(d => (d.SectorFileType & SectorFileType.Cache) != 0),
                root,
                stat));
        }

        return paths;
    }
}
