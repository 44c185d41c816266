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
/// sealing follows the data and a shared path means no fetch.
/// </summary>
public sealed class StorageSelector(ISectorIndex index, StorageSelector.Mode mode, SectorId sector, SectorFileType fileTypes, ulong sectorSize, PathType pathType, bool allowFetch, SectorFileType prefer = SectorFileType.None) : IWorkerSelector
{
    private readonly Dictionary<Guid, long> _weights = [];

    public enum Mode
    {
        Alloc,
        Existing,
    }

    public async ValueTask<bool> OkAsync(WorkerHandle worker, TaskType task, RegisteredSealProof proof, CancellationToken ct)
    {
        if (!worker.Tasks.Contains(task))
        {
            return false;
        }

        var paths = await worker.Api.PathsAsync(ct).ConfigureAwait(false);
        var mine = paths.Select(p => p.ID).ToHashSet();
        long weight = 0;
        var ok = false;
        if (mode == Mode.Alloc)
        {
            IReadOnlyList<StorageInfo> best;
            try
            {
                best = await index.StorageBestAllocAsync(fileTypes, sectorSize, pathType, sector.Miner, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return false; // "no good path found"
            }

            ok = best.Any(s => mine.Contains(s.ID));
        }

        if (mode == Mode.Existing)
        {
            var found = await index.StorageFindSectorAsync(sector, fileTypes, sectorSize, allowFetch, ct).ConfigureAwait(false);
            ok = found.Any(f => mine.Contains(f.ID));
        }

        var preferred = prefer == SectorFileType.None ? fileTypes : prefer;
        var holders = await index.StorageFindSectorAsync(sector, preferred, sectorSize, false, ct).ConfigureAwait(false);
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
}
