using Kiln.Api.Types;
using Kiln.Miner.Calls;
using Kiln.Miner.Jobs;
using Kiln.Miner.Scheduling;
using Kiln.Miner.Workers;
using Kiln.Stores.Index;

namespace Kiln.Miner.Sealing;

/// <summary>
/// lotus-miner's sealing manager for the stages Kiln runs: each call picks a worker through the
/// scheduler (storage-aware selectors), calls the worker method, which answers with a CallID at once,
/// records the job, and waits for the worker's Return*.
/// </summary>
public sealed class SealingManager(SealingScheduler scheduler, CallRegistry calls, JobTracker jobs, ISectorIndex index, ulong sectorSize)
{
    /// <summary>AddPiece of a CC (zero) piece, or of any piece, into a new or existing unsealed sector.</summary>
    public Task<PieceInfo> AddPieceAsync(SectorRef sector, IReadOnlyList<ulong> existingPieces, ulong pieceSize, Func<Stream> data, CancellationToken ct)
    {
        var selector = existingPieces.Count == 0
            ? new StorageSelector(index, StorageSelector.Mode.Alloc, sector.ID, SectorFileType.Unsealed, sectorSize, PathType.Sealing, false)
            : new StorageSelector(index, StorageSelector.Mode.Existing, sector.ID, SectorFileType.Unsealed, sectorSize, PathType.Sealing, false);
        return scheduler.ScheduleAsync(sector, TaskType.AddPiece, selector, async (w, c) =>
        {
            var call = await w.Api.AddPieceAsync(sector, existingPieces, pieceSize, data(), c).ConfigureAwait(false);
            return (PieceInfo)(await TrackAsync(w, call, sector, TaskType.AddPiece, c).ConfigureAwait(false))!;
        }, ct);
    }

    /// <summary>PreCommit1: on a worker with room for sealed + cache, preferring the one that holds the unsealed data.</summary>
    public Task<byte[]> SealPreCommit1Async(SectorRef sector, byte[] ticket, IReadOnlyList<PieceInfo> pieces, CancellationToken ct)
    {
        var selector = new StorageSelector(index, StorageSelector.Mode.Alloc, sector.ID, SectorFileType.Sealed | SectorFileType.Cache, sectorSize, PathType.Sealing, false, prefer: SectorFileType.Unsealed);
        return scheduler.ScheduleAsync(sector, TaskType.PreCommit1, selector, async (w, c) =>
        {
            await FetchAsync(w, sector, SectorFileType.Unsealed, c).ConfigureAwait(false);
            var call = await w.Api.SealPreCommit1Async(sector, ticket, pieces, c).ConfigureAwait(false);
            return (byte[])(await TrackAsync(w, call, sector, TaskType.PreCommit1, c).ConfigureAwait(false))!;
        }, ct);
    }

    /// <summary>FinalizeSector (ClearCache) where the sealed data lives.</summary>
    public Task FinalizeSectorAsync(SectorRef sector, CancellationToken ct)
    {
        var selector = new StorageSelector(index, StorageSelector.Mode.Existing, sector.ID, SectorFileType.Sealed | SectorFileType.Cache, sectorSize, PathType.Sealing, false);
        return scheduler.ScheduleAsync(sector, TaskType.Finalize, selector, async (w, c) =>
        {
            var call = await w.Api.FinalizeSectorAsync(sector, c).ConfigureAwait(false);
            return await TrackAsync(w, call, sector, TaskType.Finalize, c).ConfigureAwait(false);
        }, ct);
    }

    /// <summary>The prepare step: the worker fetches what it does not have (a no-op on shared storage).</summary>
    private async Task FetchAsync(WorkerHandle worker, SectorRef sector, SectorFileType types, CancellationToken ct)
    {
        var call = await worker.Api.FetchAsync(sector, types, PathType.Sealing, AcquireMode.Move, ct).ConfigureAwait(false);
        await TrackAsync(worker, call, sector, TaskType.Fetch, ct).ConfigureAwait(false);
    }

    private async Task<object?> TrackAsync(WorkerHandle worker, CallId call, SectorRef sector, TaskType task, CancellationToken ct)
    {
        calls.Track(call, worker.Id);
        await jobs.StartedAsync(call.ID, worker.Info.Hostname, worker.Id, sector.ID, task, ct).ConfigureAwait(false);
        CallResult result;
        try
        {
            result = await calls.WaitAsync(call, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await jobs.FinishedAsync(call.ID, JobOutcome.Aborted, "canceled", CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        await jobs.FinishedAsync(call.ID, result.Succeeded ? JobOutcome.Succeeded : JobOutcome.Failed, result.Error?.Message, ct).ConfigureAwait(false);
        return result.Error is { } error ? throw new SealingException(task, sector.ID, error) : result.Value;
    }
}
