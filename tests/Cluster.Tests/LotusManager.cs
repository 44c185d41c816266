using Kiln.Api;
using Kiln.Api.Types;
using Kiln.Miner;
using Kiln.Stores.Fetch;
using Kiln.Stores.Index;
using Kiln.Stores.Local;

namespace Kiln.Cluster.Tests;

/// <summary>
/// A test harness shaped after lotus-miner's sealing manager (Lotus storage/sealer/manager.go): each method does what
/// the manager method of the same name does to a worker — the selector checks it makes before it picks the worker
/// (selector_task.go, selector_existing.go, selector_move.go, selector_alloc.go: the task type advertised, the files in
/// the worker's paths), the prepare step (<c>schedFetch</c>: <c>Fetch</c> with the manager's path type and acquire
/// mode), the call, and the wait for its <c>Return*</c> (<c>waitSimpleCall</c>). The miner side the worker talks to
/// (index, <c>Return*</c>) is kiln-miner's RPC endpoint; the manager's own storage (<c>m.storage</c>, a Lotus
/// <c>Remote</c> over the miner's paths) is a <see cref="RemoteFetcher"/> over the miner's index.
/// </summary>
internal sealed class LotusManager(MinerHost miner, IWorkerApi worker, IMinerStorageApi minerClient, RemoteFetcher managerStorage)
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromMinutes(5);
    private static readonly CancellationToken None = CancellationToken.None;

    public IWorkerApi Worker => worker;

    /// <summary>Lotus <c>waitSimpleCall</c>: the call's CallID, then its result from the worker's <c>Return*</c>.</summary>
    /// <exception cref="CallFailedException">The worker returned a CallError.</exception>
    public async Task<object?> WaitAsync(Task<CallId> call)
    {
        var id = await call;
        var result = await miner.Api.Calls.WaitAsync(id, None).WaitAsync(CallTimeout);
        return result.Error is { } error ? throw new CallFailedException(error) : result.Value;
    }

    /// <summary>selector_task.go / the first check of every selector: the worker advertises the task type.</summary>
    public async Task RequireTaskAsync(TaskType task)
    {
        var tasks = await worker.TaskTypesAsync(None);
        Assert.True(tasks.Contains(task), $"the worker does not advertise {TaskTypes.Id(task)}: lotus-miner would never schedule it there (advertises {string.Join(", ", tasks.Select(TaskTypes.ShortName))})");
    }

    /// <summary>selector_existing.go with allowFetch=false: a path of the worker holds <paramref name="fileType"/>.</summary>
    public async Task RequireExistingAsync(TaskType task, SectorRef sector, SectorFileType fileType)
    {
        await RequireTaskAsync(task);
        var have = (await worker.PathsAsync(None)).Select(p => p.ID).ToHashSet();
        var holders = await minerClient.StorageFindSectorAsync(sector.ID, fileType, SectorSize(sector), false, None);
        Assert.True(holders.Any(h => have.Contains(h.ID)), $"no path of the worker holds {SectorFileTypes.Format(fileType)} of {sector.ID.ToSectorName()}");
    }

    /// <summary>selector_move.go: one of the worker's paths is among <c>StorageBestAlloc(types, PathStorage)</c>.</summary>
    public async Task RequireMoveDestinationAsync(SectorRef sector, SectorFileType types)
    {
        await RequireTaskAsync(TaskType.Fetch);
        var have = (await worker.PathsAsync(None)).Select(p => p.ID).ToHashSet();
        var best = await minerClient.StorageBestAllocAsync(types, SectorSize(sector), PathType.Storage, sector.ID.Miner, None);
        Assert.True(best.Any(b => have.Contains(b.ID)), $"the worker has no long-term path to move {sector.ID.ToSectorName()} into");
    }

    /// <summary>Lotus <c>schedFetch</c>: the prepare step that makes the files local before the task runs.</summary>
    public Task FetchAsync(SectorRef sector, SectorFileType fileType, PathType pathType, AcquireMode mode) =>
        WaitAsync(worker.FetchAsync(sector, fileType, pathType, mode, None));

    /// <summary>Lotus <c>Manager.AddPiece</c> (alloc selector on unsealed for a first piece, existing otherwise).</summary>
    public async Task<PieceInfo> AddPieceAsync(SectorRef sector, IReadOnlyList<ulong> existing, ulong size, Stream data)
    {
        await RequireTaskAsync(TaskType.AddPiece);
        return Assert.IsType<PieceInfo>(await WaitAsync(worker.AddPieceAsync(sector, existing, size, data, None)));
    }

    /// <summary>Lotus <c>Manager.SealPreCommit1</c>: existing selector on unsealed, fetch unsealed (sealing, move).</summary>
    public async Task<byte[]> SealPreCommit1Async(SectorRef sector, byte[] ticket, IReadOnlyList<PieceInfo> pieces)
    {
        await RequireExistingAsync(TaskType.PreCommit1, sector, SectorFileType.Unsealed);
        await FetchAsync(sector, SectorFileType.Unsealed, PathType.Sealing, AcquireMode.Move);
        return Assert.IsType<byte[]>(await WaitAsync(worker.SealPreCommit1Async(sector, ticket, pieces, None)));
    }

    /// <summary>Lotus <c>Manager.SealPreCommit2</c>: existing selector on sealed|cache, fetched for sealing.</summary>
    public async Task<SectorCids> SealPreCommit2Async(SectorRef sector, byte[] pc1Out)
    {
        await RequireExistingAsync(TaskType.PreCommit2, sector, SectorFileType.Sealed | SectorFileType.Cache);
        await FetchAsync(sector, SectorFileType.Sealed | SectorFileType.Cache, PathType.Sealing, AcquireMode.Move);
        return Assert.IsType<SectorCids>(await WaitAsync(worker.SealPreCommit2Async(sector, pc1Out, None)));
    }

    /// <summary>Lotus <c>Manager.SealCommit1</c>.</summary>
    public async Task<byte[]> SealCommit1Async(SectorRef sector, byte[] ticket, byte[] seed, IReadOnlyList<PieceInfo> pieces, SectorCids cids)
    {
        await RequireExistingAsync(TaskType.Commit1, sector, SectorFileType.Sealed | SectorFileType.Cache);
        await FetchAsync(sector, SectorFileType.Sealed | SectorFileType.Cache, PathType.Sealing, AcquireMode.Move);
        return Assert.IsType<byte[]>(await WaitAsync(worker.SealCommit1Async(sector, ticket, seed, pieces, cids, None)));
    }

    /// <summary>Lotus <c>Manager.SealCommit2</c>: task selector only.</summary>
    public async Task<byte[]> SealCommit2Async(SectorRef sector, byte[] c1Out)
    {
        await RequireTaskAsync(TaskType.Commit2);
        return Assert.IsType<byte[]>(await WaitAsync(worker.SealCommit2Async(sector, c1Out, None)));
    }

    /// <summary>
    /// Lotus <c>Manager.ReleaseUnsealed</c>: nothing when no path holds the unsealed file; otherwise FUS on a worker
    /// holding it (existing selector, allowFetch=false), after <c>schedFetch(unsealed, its path type, move)</c>.
    /// </summary>
    public async Task ReleaseUnsealedAsync(SectorRef sector, IReadOnlyList<UnpaddedRange> keep)
    {
        var (found, pathType) = await SectorStorageTypeAsync(sector, SectorFileType.Unsealed);
        if (!found)
        {
            return;
        }

        await RequireExistingAsync(TaskType.FinalizeUnsealed, sector, SectorFileType.Unsealed);
        await FetchAsync(sector, SectorFileType.Unsealed, pathType, AcquireMode.Move);
        await WaitAsync(worker.ReleaseUnsealedAsync(sector, keep, None));
    }

    /// <summary>
    /// Lotus <c>Manager.FinalizeSector</c>: RemoveCopies of unsealed, sealed and cache on the manager's storage; FIN
    /// where the cache is (existing selector on cache, fetch cache with its path type); then MoveStorage of
    /// cache|sealed (and unsealed when it still exists in a sealing path) on a worker that has a long-term path.
    /// </summary>
    public async Task FinalizeSectorAsync(SectorRef sector)
    {
        foreach (var t in new[] { SectorFileType.Unsealed, SectorFileType.Sealed, SectorFileType.Cache })
        {
            await managerStorage.RemoveCopiesAsync(sector.ID, t, None);
        }

        var (_, cachePathType) = await SectorStorageTypeAsync(sector, SectorFileType.Cache);
        await RequireExistingAsync(TaskType.Finalize, sector, SectorFileType.Cache);
        await FetchAsync(sector, SectorFileType.Cache, cachePathType, AcquireMode.Move);
        await WaitAsync(worker.FinalizeSectorAsync(sector, None));

        var (unsealedFound, unsealedPathType) = await SectorStorageTypeAsync(sector, SectorFileType.Unsealed);
        var move = SectorFileType.Cache | SectorFileType.Sealed | (unsealedFound && unsealedPathType == PathType.Sealing ? SectorFileType.Unsealed : SectorFileType.None);
        await MoveStorageAsync(sector, move);
    }

    /// <summary>The move-to-storage half of FinalizeSector (and of SectorsUnsealPiece): move selector, fetch, MoveStorage.</summary>
    public async Task MoveStorageAsync(SectorRef sector, SectorFileType types)
    {
        await RequireMoveDestinationAsync(sector, types);
        await FetchAsync(sector, types, PathType.Storage, AcquireMode.Move);
        await WaitAsync(worker.MoveStorageAsync(sector, types, None));
    }

    /// <summary>
    /// Lotus <c>Manager.SectorsUnsealPiece</c>: UNS on a worker (existing selector on sealed|cache with fetch allowed),
    /// after copying sealed|cache (and update|update-cache, which may fail) into its sealing path; the whole sector is
    /// unsealed (offset 0, the sector's unpadded size); then the unsealed file moves to long-term storage.
    /// </summary>
    public async Task UnsealPieceAsync(SectorRef sector, byte[] ticket, Cid commD)
    {
        await RequireTaskAsync(TaskType.Unseal);
        await FetchAsync(sector, SectorFileType.Sealed | SectorFileType.Cache, PathType.Sealing, AcquireMode.Copy);
        try
        {
            await FetchAsync(sector, SectorFileType.Update | SectorFileType.UpdateCache, PathType.Sealing, AcquireMode.Copy);
        }
        catch (CallFailedException)
        {
            // Lotus ignores this failure when the sealed copy was fetched: not every sector is a snap-upgraded one.
        }

        await WaitAsync(worker.UnsealPieceAsync(sector, 0, SectorSize(sector) / 128 * 127, ticket, commD, None));
        await MoveStorageAsync(sector, SectorFileType.Unsealed);
    }

    /// <summary>Lotus <c>Manager.DataCid</c>: task selector, no sector.</summary>
    public async Task<PieceInfo> DataCidAsync(ulong size, Stream data)
    {
        await RequireTaskAsync(TaskType.DataCid);
        return Assert.IsType<PieceInfo>(await WaitAsync(worker.DataCidAsync(size, data, None)));
    }

    /// <summary>Lotus <c>Manager.DownloadSectorData</c>: alloc selector (sealing, or storage when finalized), no prepare step.</summary>
    public async Task DownloadSectorDataAsync(SectorRef sector, bool finalized, IReadOnlyDictionary<SectorFileType, SectorLocation> source)
    {
        await RequireTaskAsync(TaskType.DownloadSector);
        await WaitAsync(worker.DownloadSectorDataAsync(sector, finalized, source, None));
    }

    /// <summary>Lotus <c>Manager.sectorStorageType</c>: found, and sealing when any holder can seal, else storage.</summary>
    public async Task<(bool Found, PathType PathType)> SectorStorageTypeAsync(SectorRef sector, SectorFileType fileType)
    {
        var holders = await minerClient.StorageFindSectorAsync(sector.ID, fileType, 0, false, None);
        return holders.Count == 0 ? (false, PathType.Storage) : (true, holders.Any(h => h.CanSeal) ? PathType.Sealing : PathType.Storage);
    }

    /// <summary>Every declaration of <paramref name="fileType"/>: (storage id, primary).</summary>
    public async Task<List<(string Storage, bool Primary)>> DeclarationsAsync(SectorId sector, SectorFileType fileType) =>
        [.. (await minerClient.StorageFindSectorAsync(sector, fileType, 0, false, None)).Select(h => (h.ID.Value, h.Primary)).Order()];

    private static ulong SectorSize(SectorRef sector) => Kiln.Proofs.SealProofInfo.Get(sector.ProofType).SectorSize;

    /// <summary>Builds the manager's own storage: no paths of its own, the miner's index over RPC, the admin token.</summary>
    public static RemoteFetcher ManagerStorage(IMinerStorageApi minerClient, string adminToken)
    {
        var index = new MinerApiSectorIndex(minerClient);
        var local = new LocalStore(index, new LocalStoreOptions { Urls = ["http://lotus-manager.invalid/remote"] });
        return new RemoteFetcher(local, index, new HttpClient(), new RemoteFetcherOptions { AuthToken = adminToken });
    }
}

/// <summary>A worker call that returned a CallError (Lotus <c>storiface.CallError</c>).</summary>
internal sealed class CallFailedException(CallError error) : Exception($"CallError {error.Code}: {error.Message}")
{
    public CallError Error { get; } = error;
}
