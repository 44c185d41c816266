using System.Text.Json;
using Kiln.Api.Types;
using Kiln.Miner.Calls;
using Kiln.Miner.Jobs;
using Kiln.Miner.Scheduling;
using Kiln.Miner.Workers;
using Kiln.Stores.Index;
using Kiln.Stores.Locks;

namespace Kiln.Miner.Sealing;

/// <summary>
/// lotus-miner's sealing manager for the stages Kiln runs: each call picks a worker through the
/// scheduler (storage-aware selectors), calls the worker method, which answers with a CallID at once,
/// records the job, and waits for the worker's Return*. Each task holds the sector's locks from before it is
/// scheduled until its result is in (or it fails, as when its worker is lost), as Lotus storage/sealer/manager.go does:
/// AddPiece writes Unsealed; PreCommit1 reads Unsealed, writes Sealed and Cache; PreCommit2 and Commit1 read Sealed,
/// write Cache; FinalizeSector writes Sealed, Unsealed and Cache; Commit2 takes none.
/// </summary>
public sealed partial class SealingManager(SealingScheduler scheduler, CallRegistry calls, WorkStore works, JobTracker jobs, ISectorIndex index, ulong sectorSize, ILogger logger, SectorLockTable? locks = null)
{
    /// <summary>The sector locks the tasks take (shared with the miner API's StorageLock/StorageTryLock/StorageGetLocks).</summary>
    public SectorLockTable Locks { get; } = locks ?? new SectorLockTable();

    /// <summary>AddPiece of a CC (zero) piece, or of any piece, into a new or existing unsealed sector.</summary>
    public Task<PieceInfo> AddPieceAsync(SectorRef sector, IReadOnlyList<ulong> existingPieces, ulong pieceSize, Func<Stream> data, CancellationToken ct)
    {
        var selector = existingPieces.Count == 0
            ? new StorageSelector(index, StorageSelector.Mode.Alloc, sector.ID, SectorFileType.Unsealed, sectorSize, PathType.Sealing, false)
            : new StorageSelector(index, StorageSelector.Mode.Existing, sector.ID, SectorFileType.Unsealed, sectorSize, PathType.Sealing, false);
        return LockedAsync(sector, SectorFileType.None, SectorFileType.Unsealed, () => scheduler.ScheduleAsync(sector, TaskType.AddPiece, selector, async (w, c) =>
        {
            var call = await w.Api.AddPieceAsync(sector, existingPieces, pieceSize, data(), c).ConfigureAwait(false);
            return (PieceInfo)(await TrackAsync(w, call, sector, TaskType.AddPiece, c).ConfigureAwait(false))!;
        }, ct), ct);
    }

    /// <summary>Lotus <c>storiface.NoSectorRef</c>: the sector of calls that have none (DataCid).</summary>
    private static readonly SectorRef NoSector = new(new SectorId(0, 0), default);

    /// <summary>
    /// Lotus <c>Manager.DataCid</c>: the piece CID of streamed data, computed on any worker that runs DC (task
    /// selector, no prepare step); the data is pushed on to the worker as it arrives.
    /// </summary>
    public Task<PieceInfo> DataCidAsync(ulong pieceSize, Stream data, CancellationToken ct) =>
        scheduler.ScheduleAsync(NoSector, TaskType.DataCid, TaskSelector.Instance, async (w, c) =>
        {
            var call = await w.Api.DataCidAsync(pieceSize, data, c).ConfigureAwait(false);
            return (PieceInfo)(await TrackAsync(w, call, NoSector, TaskType.DataCid, c).ConfigureAwait(false))!;
        }, ct);

    /// <summary>PreCommit1: on a worker with room for sealed + cache, preferring the one that holds the unsealed data.</summary>
    public Task<byte[]> SealPreCommit1Async(SectorRef sector, byte[] ticket, IReadOnlyList<PieceInfo> pieces, CancellationToken ct)
    {
        var selector = new StorageSelector(index, StorageSelector.Mode.Alloc, sector.ID, SectorFileType.Sealed | SectorFileType.Cache, sectorSize, PathType.Sealing, false, prefer: SectorFileType.Unsealed);
        return LockedAsync(sector, SectorFileType.Unsealed, SectorFileType.Sealed | SectorFileType.Cache, () => PersistedAsync<byte[]>(
            sector,
            WorkId.For(TaskType.PreCommit1, sector, ticket, pieces),
            selector,
            (w, c) => FetchAsync(w, sector, SectorFileType.Unsealed, c),
            async (w, c) =>
            {
                await AllowResealAsync(sector, c).ConfigureAwait(false);
                return await w.Api.SealPreCommit1Async(sector, ticket, pieces, c).ConfigureAwait(false);
            },
            ct), ct);
    }

    /// <summary>
    /// The miner's explicit re-seal. A worker refuses PreCommit1 of a sector whose sealed file or cache the index
    /// declares (the sector exists). The pipeline dispatches PreCommit1 only for a sector its own records have before
    /// PreCommit2 (and only when no earlier PC1 call of it is running or has a result waiting), so declarations found
    /// here are a PC1 of this very sector whose result the miner never recorded (a worker lost after it declared):
    /// they are dropped and PC1 runs again, as Lotus's PC1 retry (SealPreCommit1Failed → PreCommit1) does.
    /// </summary>
    private async Task AllowResealAsync(SectorRef sector, CancellationToken ct)
    {
        foreach (var t in new[] { SectorFileType.Sealed, SectorFileType.Cache })
        {
            foreach (var info in await index.StorageFindSectorAsync(sector.ID, t, 0, false, ct).ConfigureAwait(false))
            {
                Log.Resealing(logger, sector.ID.Number, SectorFileTypes.Format(t), info.ID.ToString());
                await index.StorageDropSectorAsync(info.ID, sector.ID, t, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>PreCommit2: where the sealed file and cache are (PC1 normally ran there), fetching them otherwise.</summary>
    public Task<SectorCids> SealPreCommit2Async(SectorRef sector, byte[] preCommit1Out, CancellationToken ct)
    {
        var types = SectorFileType.Sealed | SectorFileType.Cache;
        var selector = new StorageSelector(index, StorageSelector.Mode.Existing, sector.ID, types, sectorSize, PathType.Sealing, true);
        return LockedAsync(sector, SectorFileType.Sealed, SectorFileType.Cache, () => PersistedAsync<SectorCids>(
            sector,
            WorkId.For(TaskType.PreCommit2, sector, preCommit1Out),
            selector,
            (w, c) => FetchAsync(w, sector, types, c),
            (w, c) => w.Api.SealPreCommit2Async(sector, preCommit1Out, c),
            ct), ct);
    }

    /// <summary>Commit1: the vanilla PoRep proofs, on a worker that has (or fetches) the sealed file and cache.</summary>
    public Task<byte[]> SealCommit1Async(SectorRef sector, byte[] ticket, byte[] seed, IReadOnlyList<PieceInfo> pieces, SectorCids cids, CancellationToken ct)
    {
        var types = SectorFileType.Sealed | SectorFileType.Cache;
        var selector = new StorageSelector(index, StorageSelector.Mode.Existing, sector.ID, types, sectorSize, PathType.Sealing, true);
        return LockedAsync(sector, SectorFileType.Sealed, SectorFileType.Cache, () => PersistedAsync<byte[]>(
            sector,
            WorkId.For(TaskType.Commit1, sector, ticket, seed, pieces, cids),
            selector,
            (w, c) => FetchAsync(w, sector, types, c),
            (w, c) => w.Api.SealCommit1Async(sector, ticket, seed, pieces, cids, c),
            ct), ct);
    }

    /// <summary>Commit2: the SNARK over Commit1's output, on any worker that runs C2 (it needs no sector files).</summary>
    public Task<byte[]> SealCommit2Async(SectorRef sector, byte[] commit1Out, CancellationToken ct) =>
        PersistedAsync<byte[]>(
            sector,
            WorkId.For(TaskType.Commit2, sector, commit1Out),
            TaskSelector.Instance,
            null,
            (w, c) => w.Api.SealCommit2Async(sector, commit1Out, c),
            ct);

    /// <summary>FinalizeSector (ClearCache) where the sealed data lives.</summary>
    public Task FinalizeSectorAsync(SectorRef sector, CancellationToken ct)
    {
        var selector = new StorageSelector(index, StorageSelector.Mode.Existing, sector.ID, SectorFileType.Sealed | SectorFileType.Cache, sectorSize, PathType.Sealing, false);
        return LockedAsync(sector, SectorFileType.None, SectorFileType.Sealed | SectorFileType.Unsealed | SectorFileType.Cache, () => scheduler.ScheduleAsync(sector, TaskType.Finalize, selector, async (w, c) =>
        {
            var call = await w.Api.FinalizeSectorAsync(sector, c).ConfigureAwait(false);
            return await TrackAsync(w, call, sector, TaskType.Finalize, c).ConfigureAwait(false);
        }, ct), ct);
    }

    /// <summary>
    /// Runs <paramref name="task"/> holding the sector's locks (Lotus manager.go: <c>m.index.StorageLock</c> before
    /// <c>m.sched.Schedule</c>, released when the call returns): from before a worker is picked until the result is in,
    /// the task fails, or <paramref name="ct"/> ends — a lost worker's calls fail (101), which releases its locks.
    /// </summary>
    private async Task<T> LockedAsync<T>(SectorRef sector, SectorFileType read, SectorFileType write, Func<Task<T>> task, CancellationToken ct)
    {
        using var held = await Locks.LockAsync(sector.ID, read, write, ct).ConfigureAwait(false);
        return await task().ConfigureAwait(false);
    }

    /// <summary>The prepare step: the worker fetches what it does not have (a no-op on shared storage), accounted as a GET job.</summary>
    private async Task FetchAsync(WorkerHandle worker, SectorRef sector, SectorFileType types, CancellationToken ct)
    {
        var call = await worker.Api.FetchAsync(sector, types, PathType.Sealing, AcquireMode.Move, ct).ConfigureAwait(false);
        await TrackAsync(worker, call, sector, TaskType.Fetch, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// A call kept in the <see cref="WorkStore"/>: if a previous miner process already dispatched it,
    /// wait for that CallID (or take its stored result) instead of dispatching it again.
    /// </summary>
    private async Task<T> PersistedAsync<T>(SectorRef sector, WorkId id, IWorkerSelector selector, Func<WorkerHandle, CancellationToken, Task>? prepare, Func<WorkerHandle, CancellationToken, Task<CallId>> start, CancellationToken ct)
    {
        var known = await works.GetAsync(id, ct).ConfigureAwait(false);
        if (known is { Status: WorkStatus.Done or WorkStatus.Running, Call: { } running })
        {
            Log.Resuming(logger, id.Task, sector.ID.Number, running.ID, known.HostName);
            if (known.Worker is { } worker)
            {
                calls.Track(running, worker);
            }

            var result = known.Status == WorkStatus.Done
                ? known.ToResult()
                : await calls.WaitAsync(running, ct).ConfigureAwait(false);
            await jobs.FinishedAsync(running.ID, result.Succeeded ? JobOutcome.Succeeded : JobOutcome.Failed, result.Error?.Message, ct).ConfigureAwait(false);
            await EndAsync(id, result.Error, ct).ConfigureAwait(false);
            return Unwrap<T>(result, id.Task, sector);
        }

        if (await TakeLateAsync(id, sector, ct).ConfigureAwait(false) is { } kept)
        {
            return Unwrap<T>(kept, id.Task, sector);
        }

        await works.StartAsync(id, sector.ID, ct).ConfigureAwait(false);
        object? value;
        try
        {
            value = await scheduler.ScheduleAsync(sector, id.Task, selector, prepare, async (w, c) =>
            {
                // The worker given up earlier may have returned this work's result while it waited for a worker.
                if (await TakeLateAsync(id, sector, c).ConfigureAwait(false) is { } late)
                {
                    return late.Value;
                }

                var call = await start(w, c).ConfigureAwait(false);
                await works.RunningAsync(id, call, w.Id, w.Info.Hostname, c).ConfigureAwait(false);
                return await TrackAsync(w, call, sector, id.Task, c).ConfigureAwait(false);
            }, ct).ConfigureAwait(false);
        }
        catch (SealingException e)
        {
            // The worker answered with an error, or was lost: the work is over; the pipeline decides whether to try again.
            await EndAsync(id, e.Error, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        await EndAsync(id, null, ct).ConfigureAwait(false);
        return Unwrap<T>(new CallResult(value, null), id.Task, sector);
    }

    /// <summary>
    /// A successful result a worker returned after the miner had given its call up, kept by the work store under the
    /// work's id (Lotus storage/sealer/manager.go keeps results by WorkID): the re-dispatch takes it instead of
    /// sealing again. Errors are not kept, so this is always a success.
    /// </summary>
    private async Task<CallResult?> TakeLateAsync(WorkId id, SectorRef sector, CancellationToken ct)
    {
        if (await works.TakeLateAsync(id, ct).ConfigureAwait(false) is not { } kept)
        {
            return null;
        }

        Log.TakingLate(logger, id.Task, sector.ID.Number, kept.Call?.ID ?? Guid.Empty, kept.HostName);
        return kept.ToResult();
    }

    /// <summary>
    /// The work's result is in: its row goes. A call given up with its lost worker (101 from the miner) is remembered,
    /// so that worker's late result can still be kept for the work; a success forgets any such call.
    /// </summary>
    private async Task EndAsync(WorkId id, CallError? error, CancellationToken ct)
    {
        if (error is { Code: CallError.ErrTempWorkerRestart })
        {
            await works.GiveUpAsync(id, ct).ConfigureAwait(false);
            return;
        }

        await works.RemoveAsync(id, ct).ConfigureAwait(false);
        if (error is null)
        {
            await works.ForgetGivenUpAsync(id, ct).ConfigureAwait(false);
        }
    }

    /// <summary>The value of a result, whether it came over the wire just now or from the work store as JSON.</summary>
    private static T Unwrap<T>(CallResult result, TaskType task, SectorRef sector) => result switch
    {
        { Error: { } error } => throw new SealingException(task, sector.ID, error),
        { Value: T value } => value,
        { Value: JsonElement json } => json.Deserialize<T>(ApiJson.Options) ?? throw new SealingException(task, sector.ID, new CallError(CallError.ErrUnknown, "the stored result is empty")),
        _ => throw new SealingException(task, sector.ID, new CallError(CallError.ErrUnknown, $"the worker returned {result.Value?.GetType().Name ?? "nothing"} where {typeof(T).Name} was expected")),
    };

    private async Task<object?> TrackAsync(WorkerHandle worker, CallId call, SectorRef sector, TaskType task, CancellationToken ct)
    {
        calls.Track(call, worker.Id);
        await jobs.StartedAsync(call.ID, worker.Info.Hostname, worker.Id, sector.ID, task, ct).ConfigureAwait(false);
        Log.CallStarted(logger, TaskTypes.ShortName(task), sector.ID.Number, worker.Info.Hostname, call.ID);
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

    private static partial class Log
    {
        [LoggerMessage(EventId = 5000, EventName = "SealingCallResuming", Level = LogLevel.Information, Message = "{Task} of sector {Sector} was dispatched before the miner restarted: waiting for call {Call} on {Host}")]
        public static partial void Resuming(ILogger logger, TaskType task, ulong sector, Guid call, string? host);

        [LoggerMessage(EventId = 5001, EventName = "SealingLateResultTaken", Level = LogLevel.Information, Message = "{Task} of sector {Sector}: taking the result call {Call} on {Host} returned after it was given up, instead of dispatching again")]
        public static partial void TakingLate(ILogger logger, TaskType task, ulong sector, Guid call, string? host);

        [LoggerMessage(EventId = 5002, EventName = "PreCommit1Resealing", Level = LogLevel.Warning, Message = "PreCommit1 of sector {Sector} runs again (its result was never recorded): dropping the declaration of its {FileType} in storage {Storage}")]
        public static partial void Resealing(ILogger logger, ulong sector, string fileType, string storage);

        [LoggerMessage(EventId = 5009, EventName = "SealingCallStarted", Level = LogLevel.Information, Message = "{Task} of sector {Sector} started on {Host} as call {Call}")]
        public static partial void CallStarted(ILogger logger, string task, ulong sector, string host, Guid call);
    }
}
