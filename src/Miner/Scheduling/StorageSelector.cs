using Kiln.Api.Types;
using Kiln.Miner.Workers;
using Kiln.Proofs;
using Kiln.Stores.Index;

namespace Kiln.Miner.Scheduling;

/// <summary>
/// Lotus's alloc and existing selectors in one: a worker qualifies when one of its local storage paths is
/// a place the index offers — for <see cref="Mode.Alloc"/> a StorageBestAlloc destination for the new files,
/// for <see cref="Mode.Existing"/> a path that already holds the sector's files (or, with allowFetch, may
/// receive them). Workers whose paths already hold <c>prefer</c> (default: the same types) rank first, so
/// sealing follows the data and a shared path means no fetch. Within a scheduling pass (<see cref="BeginPass"/> to
/// <see cref="EndPass"/>) the index is read once per request, not once per candidate worker, and the worker's paths
/// come from its handle (refreshed on heartbeat), so evaluating 200 candidates costs three index reads and no RPC.
/// </summary>
public sealed class StorageSelector(ISectorIndex index, StorageSelector.Mode mode, SectorId sector, SectorFileType fileTypes, ulong sectorSize, PathType pathType, bool allowFetch, SectorFileType prefer = SectorFileType.None) : IWorkerSelector
{
    private readonly Dictionary<Guid, long> _weights = [];

    public enum Mode
    {
        Alloc,
        Existing,
    }

    /// <summary>The index answers of the current pass (they do not depend on the worker); null outside a pass.</summary>
    private PassReads? _pass;

    public void BeginPass() => _pass = new PassReads();

    public void EndPass() => _pass = null;

    public async ValueTask<bool> OkAsync(WorkerHandle worker, TaskType task, RegisteredSealProof proof, CancellationToken ct)
    {
        if (!worker.Tasks.Contains(task))
        {
            return false;
        }

        // The paths as of the worker's last heartbeat: a scheduling pass makes no worker RPC.
        var mine = worker.PathIds;
        var reads = _pass ?? new PassReads();
        long weight = 0;
        var ok = false;
        if (mode == Mode.Alloc)
        {
            var best = await (reads.Best ??= BestAllocAsync(ct)).ConfigureAwait(false);
            ok = best.Any(s => mine.Contains(s.ID)); // no best path: "no good path found"
        }

        if (mode == Mode.Existing)
        {
            var found = await (reads.Found ??= index.StorageFindSectorAsync(sector, fileTypes, sectorSize, allowFetch, ct)).ConfigureAwait(false);
            ok = found.Any(f => mine.Contains(f.ID));
        }

        var preferred = prefer == SectorFileType.None ? fileTypes : prefer;
        var holders = await (reads.Holders ??= index.StorageFindSectorAsync(sector, preferred, sectorSize, false, ct)).ConfigureAwait(false);
        foreach (var holder in holders.Where(f => mine.Contains(f.ID)))
        {
            weight += (long)holder.Weight + 1;
        }

        lock (_weights)
        {
            _weights[worker.Id] = weight;
        }

        return ok;
    }

    private async Task<IReadOnlyList<StorageInfo>> BestAllocAsync(CancellationToken ct)
    {
        try
        {
            return await index.StorageBestAllocAsync(fileTypes, sectorSize, pathType, sector.Miner, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return []; // "no good path found"
        }
    }

    public int Compare(WorkerHandle a, WorkerHandle b, TaskType task)
    {
        long wa, wb;
        lock (_weights)
        {
            wa = _weights.GetValueOrDefault(a.Id);
            wb = _weights.GetValueOrDefault(b.Id);
        }

        return wb.CompareTo(wa); // more of the sector's data already there wins
    }

    /// <summary>What one pass read from the index for this request, asked once whatever the number of candidate workers.</summary>
    private sealed class PassReads
    {
        public Task<IReadOnlyList<StorageInfo>>? Best { get; set; }

        public Task<IReadOnlyList<SectorStorageInfo>>? Found { get; set; }

        public Task<IReadOnlyList<SectorStorageInfo>>? Holders { get; set; }
    }
}
