using Kiln.Api.Types;
using Kiln.Proofs;
using Kiln.Proofs.Pieces;
using Kiln.Proofs.Sdr;
using Kiln.Proofs.Sdr.Pool;
using Kiln.Proofs.Seal;
using Kiln.Proofs.Snark;
using Kiln.Stores;
using Kiln.Stores.Fetch;
using Kiln.Stores.Local;

namespace Kiln.Worker.Sealing;

/// <summary>
/// The sealing steps kiln-worker executes on its local paths (lotus: storage/sealer/worker_local.go and
/// ffiwrapper): acquire the sector's files, reserve space for new ones, run the step, declare what it wrote.
/// </summary>
public sealed partial class SealingTasks(LocalStore store, ParentCacheOptions parentCache, ILogger logger, RemoteFetcher? fetcher = null, LabelPool? pool = null, LabelBatcher? batcher = null, ISnarkProver? prover = null, ExternalPreCommit2? externalPreCommit2 = null)
{
    /// <summary>AddPiece: a new sector's unsealed file is allocated in a sealing path; later pieces go into the existing one.</summary>
    public async Task<PieceInfo> AddPieceAsync(SectorRef sector, IReadOnlyList<ulong> pieceSizes, ulong newPieceSize, Stream data, CancellationToken ct)
    {
        var first = pieceSizes.Count == 0;
        if (first)
        {
            await RefuseNewUnsealedOverDeclaredAsync(sector, ct).ConfigureAwait(false);
        }

        var acquired = await store.AcquireSectorAsync(
            sector,
            first ? SectorFileType.None : SectorFileType.Unsealed,
            first ? SectorFileType.Unsealed : SectorFileType.None,
            PathType.Sealing,
            ct).ConfigureAwait(false);
        RequirePresent(acquired, SectorFileType.Unsealed);
        using var reservation = first ? Reserve(sector, SectorFileType.Unsealed, acquired) : null;
        PieceCommitment piece;
        try
        {
            piece = (await AddPiece.WriteAsync(
                acquired.Paths.Unsealed,
                SealProof(sector).SectorSize,
                [.. pieceSizes.Select(s => new UnpaddedPieceSize(s))],
                new UnpaddedPieceSize(newPieceSize),
                data,
                ct).ConfigureAwait(false)).Piece;
        }
        catch (Exception e)
        {
            // A failed first piece leaves no unsealed file behind (it was never declared); with earlier pieces only
            // the new range was written, and the file's trailer still lists just the earlier ones.
            if (first)
            {
                File.Delete(acquired.Paths.Unsealed);
            }

            throw e is IOException
                ? new IOException($"AddPiece of sector {sector.ID.ToSectorName()}: reading the piece data failed: {e.Message}", e)
                : e;
        }

        await DeclareAsync(sector, SectorFileType.Unsealed, acquired, ct).ConfigureAwait(false);
        return piece.ToPieceInfo();
    }

    /// <summary>
    /// DataCid (Lotus Sealer.DataCid): the padded size and piece CID of <paramref name="pieceSize"/> unpadded bytes of
    /// <paramref name="data"/>, zero-extended when it ends early and cut there when it is longer, hashed as it
    /// streams in; no sector file is written.
    /// </summary>
    public static async Task<PieceInfo> DataCidAsync(ulong pieceSize, Stream data, CancellationToken ct)
    {
        var size = new UnpaddedPieceSize(pieceSize);
        if (!size.IsValid || size.Padded().Value > 1UL << 36)
        {
            throw new ProofsException($"DataCid: piece size {pieceSize} is not a valid unpadded piece size (127·2^k bytes, at most a 64 GiB padded piece)");
        }

        byte[] commP;
        try
        {
            commP = await CommP.ComputeAsync(new ZeroExtendedReader(data, (long)pieceSize), size, ct).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new IOException($"DataCid of a {pieceSize}-byte piece: reading the piece data failed: {e.Message}", e);
        }

        return new PieceCommitment(size.Padded(), new Commitment(commP)).ToPieceInfo();
    }

    /// <summary>PreCommit1: labels the sector into a newly allocated cache dir and sealed file; returns Lotus's PreCommit1Out bytes.</summary>
    public async Task<byte[]> PreCommit1Async(SectorRef sector, byte[] ticket, IReadOnlyList<PieceInfo> pieces, CancellationToken ct)
    {
        await ClearPreviousPreCommit1Async(sector, ct).ConfigureAwait(false);

        var allocate = SectorFileType.Sealed | SectorFileType.Cache;
        var acquired = await store.AcquireSectorAsync(sector, SectorFileType.Unsealed, allocate, PathType.Sealing, ct).ConfigureAwait(false);
        RequirePresent(acquired, SectorFileType.Unsealed | allocate);
        using var reservation = Reserve(sector, allocate, acquired);
        var request = new PreCommit1Request(
            SealProof(sector),
            acquired.Paths.Unsealed,
            acquired.Paths.Sealed,
            acquired.Paths.Cache,
            sector.ID.Miner,
            sector.ID.Number,
            ticket,
            [.. pieces.Select(p => p.ToPieceCommitment())]);
        var output = await PreCommit1.RunAsync(request, parentCache, pool: pool, cancellationToken: ct, batcher: batcher).ConfigureAwait(false);
        await DeclareAsync(sector, allocate, acquired, ct).ConfigureAwait(false);
        return output.ToLotusJson();
    }

    /// <summary>PreCommit2: tree_c, the replica encoding and tree_r_last over the sector's existing sealed file and cache; returns its CIDs.</summary>
    public async Task<SectorCids> PreCommit2Async(SectorRef sector, byte[] preCommit1Out, CancellationToken ct)
    {
        var pc1 = PreCommit1Output.Parse(preCommit1Out);
        var proof = SealProof(sector);
        if (pc1.Proof.SectorSize != proof.SectorSize)
        {
            throw new ProofsException($"the PreCommit1Out is for {pc1.Proof.Name}, sector {sector.ID.ToSectorName()} is {proof.Name}");
        }

        var types = SectorFileType.Sealed | SectorFileType.Cache;
        var acquired = await store.AcquireSectorAsync(sector, types, SectorFileType.None, PathType.Sealing, ct).ConfigureAwait(false);
        RequirePresent(acquired, types);
        if (externalPreCommit2 is not null)
        {
            // --external-pc2 (Lotus ffiwrapper ExternalSealer.PreCommit2).
            return await externalPreCommit2.RunAsync(sector, preCommit1Out, acquired.Paths.Cache, acquired.Paths.Sealed, ct).ConfigureAwait(false);
        }

        var output = await PreCommit2.RunAsync(pc1, acquired.Paths.Cache, acquired.Paths.Sealed, cancellationToken: ct).ConfigureAwait(false);
        await CheckPreCommit2Async(sector, pc1, output, acquired, ct).ConfigureAwait(false);
        return output.ToSectorCids();
    }

    /// <summary>
    /// Lotus storage/sealer/ffiwrapper/sealer_cgo.go SealPreCommit2's check after PC2: Commit1 with
    /// <see cref="PreCommitCheck.Rounds"/> random seeds over what PC2 wrote; a failure fails PC2 ("checking PreCommit failed: …").
    /// </summary>
    private async Task CheckPreCommit2Async(SectorRef sector, PreCommit1Output pc1, PreCommit2Output output, AcquiredSector acquired, CancellationToken ct)
    {
        if (!await PreCommitCheck.RunAsync(pc1, output, acquired.Paths.Cache, acquired.Paths.Sealed, sector.ID.Miner, sector.ID.Number, ct).ConfigureAwait(false))
        {
            LogPreCommitNotChecked(sector.ID.ToSectorName(), output.Proof.Name);
        }
    }

    /// <summary>
    /// UnsealPiece (Lotus storage/sealer/worker_local.go LocalWorker.UnsealPiece and ffiwrapper Sealer.UnsealPiece): the
    /// sector's unsealed partial file, found or allocated in a sealing path, gets the padded bytes of [offset, offset + size)
    /// it lacks, decoded from the sealed file (fetched as a copy when it is elsewhere); a range already there is a no-op.
    /// Afterwards the copies of the sealed file, cache and update files this worker holds are removed (Lotus RemoveCopies).
    /// </summary>
    public async Task UnsealPieceAsync(SectorRef sector, ulong offset, ulong size, byte[] randomness, Cid commD, CancellationToken ct)
    {
        var proof = SealProof(sector);
        var name = sector.ID.ToSectorName();
        if (!commD.TryToUnsealedCommitment(out var commDBytes, out var why))
        {
            throw new ProofsException($"unsealing sector {name}: {commD} is not an unsealed sector CID (comm_d): {why}");
        }

        var acquired = await store.AcquireSectorAsync(sector, SectorFileType.Unsealed, SectorFileType.None, PathType.Sealing, ct).ConfigureAwait(false);
        var allocate = (acquired.Paths.Present & SectorFileType.Unsealed) == 0;
        if (allocate)
        {
            acquired = await store.AcquireSectorAsync(sector, SectorFileType.None, SectorFileType.Unsealed, PathType.Sealing, ct).ConfigureAwait(false);
        }

        RequirePresent(acquired, SectorFileType.Unsealed);
        if (Unseal.MissingRanges(acquired.Paths.Unsealed, proof.SectorSize, offset, size, name).Count == 0)
        {
            return;
        }

        using var reservation = allocate ? Reserve(sector, SectorFileType.Unsealed, acquired) : null;
        var source = await AcquireExistingAsync(sector, SectorFileType.Sealed, PathType.Sealing, AcquireMode.Copy, ct).ConfigureAwait(false);
        RequirePresent(source, SectorFileType.Sealed);
        var request = new UnsealRequest(proof, source.Paths.Sealed, acquired.Paths.Unsealed, sector.ID.Miner, sector.ID.Number, randomness, commDBytes, offset, size);
        var result = await Unseal.RunAsync(request, parentCache, cancellationToken: ct).ConfigureAwait(false);
        if (allocate)
        {
            await DeclareAsync(sector, SectorFileType.Unsealed, acquired, ct).ConfigureAwait(false);
        }

        LogUnsealed(name, result.Decoded.Aggregate(0UL, (sum, r) => sum + r.Size), result.Labeling.TotalSeconds);
        foreach (var t in new[] { SectorFileType.Sealed, SectorFileType.Cache, SectorFileType.Update, SectorFileType.UpdateCache })
        {
            await RemoveCopiesAsync(sector.ID, t, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Before PreCommit1: Lotus (worker_local.go <c>SealPreCommit1</c>) removes every sealed and cache copy of the
    /// sector first, so a retried PC1 starts clean — and Kiln does the same for copies of an attempt that never got
    /// past sealing. A copy that may belong to a finalized sector is never removed: a declaration in a path that can
    /// store but not seal (where FIN and MoveStorage put sectors), a declared cache on this host that FIN already
    /// cleared (<c>p_aux</c> without layers), or a copy on another host in a path that can store (its cache cannot be
    /// inspected from here). Then PC1 refuses, naming each copy: the sealed replica of a proving sector is never rewritten.
    /// kiln-miner re-seals a sector of its own by dropping its declarations before it asks.
    /// </summary>
    /// <exception cref="SectorExistsException">A copy that may be finalized.</exception>
    private async Task ClearPreviousPreCommit1Async(SectorRef sector, CancellationToken ct)
    {
        var copies = new List<string>();
        var mayBeFinalized = false;
        foreach (var t in new[] { SectorFileType.Sealed, SectorFileType.Cache })
        {
            foreach (var info in await store.Index.StorageFindSectorAsync(sector.ID, t, 0, false, ct).ConfigureAwait(false))
            {
                copies.Add($"{SectorFileTypes.Format(t)} in storage {info.ID}");
                var local = store.TryGetRoot(info.ID, out _);
                mayBeFinalized |= (info.CanStore && !info.CanSeal)
                    || (t == SectorFileType.Cache && local && IsFinalizedCache(store.SectorPath(info.ID, sector.ID, t)))
                    || (!local && info.CanStore);
            }
        }

        if (mayBeFinalized)
        {
            throw new SectorExistsException(
                $"PC1 of sector {sector.ID.ToSectorName()} refused: the storage index declares its {string.Join(", ", copies)}, which may belong to a " +
                "finalized sector; its files are never overwritten (drop the declarations to re-seal it on purpose)");
        }

        if (copies.Count == 0)
        {
            return;
        }

        LogClearingPreviousAttempt(sector.ID.ToSectorName());
        await RemoveEverywhereAsync(sector.ID, SectorFileType.Sealed, ct).ConfigureAwait(false);
        await RemoveEverywhereAsync(sector.ID, SectorFileType.Cache, ct).ConfigureAwait(false);
    }

    /// <summary>A cache directory FIN has cleared: <c>p_aux</c> present, no SDR layer left.</summary>
    private static bool IsFinalizedCache(string cacheDir) =>
        File.Exists(Path.Combine(cacheDir, ClearCache.PAux))
        && !Directory.EnumerateFiles(cacheDir, "sc-02-data-layer-*.dat").Any();

    /// <summary>
    /// A sector's first AddPiece creates its unsealed file, replacing one left by an attempt whose result was lost (as
    /// Lotus's AddPiece does). It never replaces the unsealed file of a sector past PreCommit1 — one whose sealed file
    /// or cache the index also declares (a sector number used before). A sector with a sealed file but no unsealed
    /// one (a CC sector whose unsealed copy FUS removed, being filled with deal data) gets its new unsealed file.
    /// </summary>
    /// <exception cref="SectorExistsException">The unsealed file of a sector past PreCommit1 is declared.</exception>
    private async Task RefuseNewUnsealedOverDeclaredAsync(SectorRef sector, CancellationToken ct)
    {
        var unsealed = await store.Index.StorageFindSectorAsync(sector.ID, SectorFileType.Unsealed, 0, false, ct).ConfigureAwait(false);
        if (unsealed.Count == 0)
        {
            return;
        }

        var sealedOrCache = await store.Index.StorageFindSectorAsync(sector.ID, SectorFileType.Sealed | SectorFileType.Cache, 0, false, ct).ConfigureAwait(false);
        if (sealedOrCache.Count > 0)
        {
            throw new SectorExistsException(
                $"AP of sector {sector.ID.ToSectorName()} refused: a first piece would replace the unsealed file the storage index declares in " +
                $"{string.Join(", ", unsealed.Select(h => h.ID))} of a sector whose sealed file or cache it also declares; pass the existing piece sizes to add to it");
        }
    }

    /// <summary>
    /// Lotus storage/paths/remote.go <c>Remote.RemoveCopies</c> (what LocalWorker calls through its store): when a
    /// primary copy of the type is declared somewhere, every other copy goes — in this worker's paths and on other hosts.
    /// </summary>
    private Task RemoveCopiesAsync(SectorId sector, SectorFileType type, CancellationToken ct) =>
        fetcher is null ? store.RemoveCopiesAsync(sector, type, ct) : fetcher.RemoveCopiesAsync(sector, type, ct);

    /// <summary>Lotus <c>Remote.Remove</c> (force, no keep list): the type goes from this host's paths and every other holder.</summary>
    private Task RemoveEverywhereAsync(SectorId sector, SectorFileType type, CancellationToken ct) =>
        fetcher is null ? store.RemoveAsync(sector, type, force: true, keepIn: [], ct) : fetcher.RemoveAsync(sector, type, force: true, keepIn: [], ct);

    /// <summary>Lotus <c>Remote.AcquireSector</c> of existing files: local paths first, then fetched from a holder (<paramref name="mode"/>).</summary>
    private Task<AcquiredSector> AcquireExistingAsync(SectorRef sector, SectorFileType types, PathType pathType, AcquireMode mode, CancellationToken ct) =>
        fetcher is null
            ? store.AcquireSectorAsync(sector, types, SectorFileType.None, pathType, ct)
            : fetcher.AcquireSectorAsync(sector, types, SectorFileType.None, pathType, mode, ct);

    /// <summary>Commit1: the vanilla PoRep proofs over the sector's sealed file and cache; returns filecoin-proofs' C1 JSON.</summary>
    public async Task<byte[]> Commit1Async(SectorRef sector, byte[] ticket, byte[] seed, IReadOnlyList<PieceInfo> pieces, SectorCids cids, CancellationToken ct)
    {
        var types = SectorFileType.Sealed | SectorFileType.Cache;
        var acquired = await store.AcquireSectorAsync(sector, types, SectorFileType.None, PathType.Sealing, ct).ConfigureAwait(false);
        RequirePresent(acquired, types);
        var request = new Commit1Request(
            SealProof(sector),
            acquired.Paths.Cache,
            acquired.Paths.Sealed,
            ProverId.FromActorId(sector.ID.Miner),
            sector.ID.Number,
            ticket,
            seed,
            cids.Sealed.ToSealedCommitment(),
            cids.Unsealed.ToUnsealedCommitment(),
            [.. pieces.Select(p => p.ToPieceCommitment())]);
        return (await Commit1.RunAsync(request, ct).ConfigureAwait(false)).ToJson();
    }

    /// <summary>Commit2: the PoRep SNARK over Commit1's output, through libfilcrypto or the insecure test prover.</summary>
    public async Task<byte[]> Commit2Async(SectorRef sector, byte[] commit1Out, CancellationToken ct)
    {
        var snark = prover ?? throw new ProofsException("this worker has no SNARK prover: Commit2 needs libfilcrypto (FILCRYPTO_LIB) or --insecure-test-proofs");
        var proof = await Task.Factory.StartNew(() => snark.SealCommitPhase2(commit1Out, sector.ID.Number, ProverId.FromActorId(sector.ID.Miner)), ct, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
        if (snark.IsInsecure)
        {
            LogInsecureProof(sector.ID.ToSectorName());
        }

        return proof;
    }

    /// <summary>FinalizeSector: clears the cache dir (Lotus ClearCache) of a sector whose cache is local.</summary>
    public async Task FinalizeAsync(SectorRef sector, CancellationToken ct)
    {
        var acquired = await store.AcquireSectorAsync(sector, SectorFileType.Cache, SectorFileType.None, PathType.Storage, ct).ConfigureAwait(false);
        RequirePresent(acquired, SectorFileType.Cache);
        ClearCache.Run(acquired.Paths.Cache);
    }

    /// <summary>
    /// Fetch: what a local path already holds (a shared path included) stays where it is; the rest is
    /// downloaded from the hosts the index names, into fetching/ and then into place.
    /// </summary>
    public async Task FetchAsync(SectorRef sector, SectorFileType fileType, PathType pathType, AcquireMode mode, CancellationToken ct)
    {
        var acquired = await AcquireExistingAsync(sector, fileType, pathType, mode, ct).ConfigureAwait(false);
        var missing = fileType & ~acquired.Paths.Present;
        if (missing != SectorFileType.None)
        {
            throw new StoresException($"sector {sector.ID.ToSectorName()} {SectorFileTypes.Format(missing)} is neither in a local path nor fetchable from another host");
        }
    }

    /// <summary>
    /// FinalizeUnsealed (Lotus storage/sealer/worker_local.go <c>LocalWorker.ReleaseUnsealed</c> and
    /// ffiwrapper/sealer_cgo.go <c>Sealer.ReleaseUnsealed</c>): with no ranges to keep the unsealed copy goes
    /// everywhere — this host's paths and every other holder through <c>DELETE /remote</c> — and its declarations
    /// with it; otherwise every padded range of the unsealed partial file outside the kept unpadded ranges is freed
    /// (punched out of the file and out of its allocation trailer). A sector without an unsealed file has nothing to free.
    /// </summary>
    /// <exception cref="ArgumentException">A kept range that is not piece-aligned or leaves the sector.</exception>
    public async Task ReleaseUnsealedAsync(SectorRef sector, IReadOnlyList<UnpaddedRange> keepUnsealed, CancellationToken ct)
    {
        var sectorSize = SealProof(sector).SectorSize;
        var free = UnsealedRangesToFree(sector, sectorSize, keepUnsealed);
        if (keepUnsealed.Count == 0)
        {
            await RemoveEverywhereAsync(sector.ID, SectorFileType.Unsealed, ct).ConfigureAwait(false);
            return;
        }

        var acquired = await AcquireExistingAsync(sector, SectorFileType.Unsealed, PathType.Storage, AcquireMode.Move, ct).ConfigureAwait(false);
        if ((acquired.Paths.Present & SectorFileType.Unsealed) == 0 || !File.Exists(acquired.Paths.Unsealed))
        {
            return;
        }

        using var file = File.OpenHandle(acquired.Paths.Unsealed, FileMode.Open, FileAccess.ReadWrite);
        foreach (var (offset, size) in free)
        {
            PartialFile.Free(file, sectorSize, offset, size);
        }

        RandomAccess.FlushToDisk(file);
    }

    /// <summary>
    /// The padded ranges of the sector outside <paramref name="keepUnsealed"/> (unpadded offsets and sizes, as Lotus's
    /// <c>storiface.Range</c>): Lotus subtracts each kept run from the whole sector and frees what is left, converting
    /// with <c>UnpaddedPieceSize.Padded</c>.
    /// </summary>
    internal static List<(ulong Offset, ulong Size)> UnsealedRangesToFree(SectorRef sector, ulong sectorSize, IReadOnlyList<UnpaddedRange> keepUnsealed)
    {
        var unpaddedSector = sectorSize / 128 * 127;
        var kept = new List<(ulong Start, ulong End)>();
        foreach (var keep in keepUnsealed)
        {
            if (keep.Offset % 127 != 0 || keep.Size % 127 != 0)
            {
                throw new ArgumentException(
                    $"sector {sector.ID.ToSectorName()}: keep range {{Offset:{keep.Offset}, Size:{keep.Size}}} is not a multiple of 127 unpadded bytes");
            }

            if (keep.Offset > unpaddedSector || keep.Size > unpaddedSector - keep.Offset)
            {
                throw new ArgumentException(
                    $"sector {sector.ID.ToSectorName()}: keep range {{Offset:{keep.Offset}, Size:{keep.Size}}} is outside the sector's {unpaddedSector} unpadded bytes");
            }

            var start = keep.Offset / 127 * 128;
            kept.Add((start, start + (keep.Size / 127 * 128)));
        }

        var free = new List<(ulong, ulong)>();
        ulong at = 0;
        foreach (var (start, end) in kept.Where(k => k.End > k.Start).OrderBy(k => k.Start))
        {
            if (start > at)
            {
                free.Add((at, start - at));
            }

            at = Math.Max(at, end);
        }

        if (at < sectorSize)
        {
            free.Add((at, sectorSize - at));
        }

        return free;
    }

    /// <summary>
    /// MoveStorage (Lotus worker_local.go <c>LocalWorker.MoveStorage</c>): the types are moved to this host's best
    /// long-term (CanStore) path — fetched first when only another host holds them — declared there, dropped from
    /// the sealing path, and then every other copy but the primary is removed (<c>RemoveCopies</c>). On a shared
    /// path that can store, nothing is copied.
    /// </summary>
    public async Task MoveStorageAsync(SectorRef sector, SectorFileType types, CancellationToken ct)
    {
        var remote = fetcher ?? throw new StoresException("MoveStorage needs the worker's remote store");
        try
        {
            await remote.MoveStorageAsync(sector, types, ct).ConfigureAwait(false);
        }
        catch (StoresException e) when (e.IsRetryable)
        {
            throw new AllocateSpaceException($"move sector {sector.ID.ToSectorName()} to storage: {e.Message}", e);
        }

        foreach (var t in SectorFileTypes.AllSet(types))
        {
            await RemoveCopiesAsync(sector.ID, t, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// DownloadSector (Lotus ffiwrapper/sealer_cgo.go <c>Sealer.DownloadSectorData</c>): each file type of
    /// <paramref name="source"/> is downloaded from its URL with its headers (<c>FetchWithTemp</c>) into a newly
    /// allocated sealing path (a storage path when <paramref name="finalized"/>), checked (a sealed replica is exactly
    /// the sector size, an unsealed file is a valid partial file of the sector, a cache holds <c>p_aux</c>), and
    /// declared primary, as Lotus's path provider declares what a task allocated. A file that fails its check is removed.
    /// </summary>
    /// <exception cref="ArgumentException">A location marked Local, or an entry that is not a single file type.</exception>
    public async Task DownloadSectorDataAsync(SectorRef sector, bool finalized, IReadOnlyDictionary<SectorFileType, SectorLocation> source, CancellationToken ct)
    {
        var remote = fetcher ?? throw new StoresException("DownloadSectorData needs the worker's remote store");
        var todo = SectorFileType.None;
        foreach (var (t, location) in source)
        {
            if (SectorFileTypes.NameOf(t) is null)
            {
                throw new ArgumentException($"sector {sector.ID.ToSectorName()}: sector data entry must be for a single file type, not {SectorFileTypes.Format(t)}");
            }

            if (location.Local)
            {
                throw new ArgumentException($"sector {sector.ID.ToSectorName()} with local data ({SectorFileTypes.Format(t)}) requested in DownloadSectorData");
            }

            todo |= t;
        }

        var pathType = finalized ? PathType.Storage : PathType.Sealing;
        var acquired = await store.AcquireSectorAsync(sector, SectorFileType.None, todo, pathType, ct).ConfigureAwait(false);
        RequirePresent(acquired, todo);
        using var reservation = Reserve(sector, todo, acquired, pathType);
        foreach (var t in SectorFileTypes.AllSet(todo))
        {
            var location = source[t];
            var dest = acquired.Paths[t];
            var headers = (location.Headers ?? []).Select(h => KeyValuePair.Create(h.Key, h.Value)).ToList();
            await remote.FetchWithTempAsync([location.URL], dest, headers, ct).ConfigureAwait(false);
            try
            {
                CheckDownloaded(sector, t, dest);
            }
            catch (StoresException)
            {
                LocalStore.DeleteEntry(dest);
                throw;
            }

            await store.Index.StorageDeclareSectorAsync(new StorageId(acquired.StorageIds[t]), sector.ID, t, true, ct).ConfigureAwait(false);
        }
    }

    /// <summary>The checks a downloaded file passes before it is declared.</summary>
    /// <exception cref="StoresException">The file is not what its type promises.</exception>
    private static void CheckDownloaded(SectorRef sector, SectorFileType t, string path)
    {
        var sectorSize = SealProof(sector).SectorSize;
        var name = $"sector {sector.ID.ToSectorName()} ({SectorFileTypes.Format(t)})";
        switch (t)
        {
            case SectorFileType.Sealed or SectorFileType.Update:
                var length = new FileInfo(path).Length;
                if ((ulong)length != sectorSize)
                {
                    throw new StoresException($"downloaded {name} is {length} bytes, the sector size is {sectorSize}");
                }

                break;
            case SectorFileType.Unsealed:
                try
                {
                    using var file = File.OpenHandle(path);
                    PartialFile.ReadAllocated(file, sectorSize);
                }
                catch (ProofsException e)
                {
                    throw new StoresException($"downloaded {name} is not an unsealed sector file: {e.Message}", inner: e);
                }

                break;
            case SectorFileType.Cache or SectorFileType.UpdateCache:
                if (!File.Exists(Path.Combine(path, ClearCache.PAux)))
                {
                    throw new StoresException($"downloaded {name} has no {ClearCache.PAux}");
                }

                break;
        }
    }

    private static SealProofInfo SealProof(SectorRef sector) => SealProofInfo.Get(sector.ProofType);

    private static void RequirePresent(AcquiredSector acquired, SectorFileType types)
    {
        var missing = types & ~acquired.Paths.Present;
        if (missing != SectorFileType.None)
        {
            throw new StoresException($"acquire sector {acquired.Paths.ID.ToSectorName()}: {SectorFileTypes.Format(missing)} not found in local storage");
        }
    }

    private SpaceReservation Reserve(SectorRef sector, SectorFileType types, AcquiredSector acquired, PathType overhead = PathType.Sealing)
    {
        try
        {
            return store.Reserve(sector, types, acquired.StorageIds, overhead);
        }
        catch (StoresException e)
        {
            throw new AllocateSpaceException(e.Message, e);
        }
    }

    /// <summary>
    /// Declares the written types in the index, primary (the worker acquires with move semantics, as lotus-worker).
    /// As in Lotus a failed declaration is logged, not fatal: the files are on disk, and the redeclaration after the
    /// miner comes back announces them.
    /// </summary>
    private async Task DeclareAsync(SectorRef sector, SectorFileType types, AcquiredSector acquired, CancellationToken ct)
    {
        foreach (var t in SectorFileTypes.AllSet(types))
        {
            try
            {
                await store.Index.StorageDeclareSectorAsync(new StorageId(acquired.StorageIds[t]), sector.ID, t, true, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogDeclareFailed(sector.ID.ToSectorName(), SectorFileTypes.Format(t), e.Message);
            }
        }
    }

    [LoggerMessage(EventId = 7301, EventName = "PreCommitNotChecked", Level = LogLevel.Warning, Message = "PreCommit2 of {Sector} was not checked with Commit1: no ticket in its PreCommit1Out, or {Proof} is a proof Kiln's Commit1 does not make")]
    private partial void LogPreCommitNotChecked(string sector, string proof);

    [LoggerMessage(EventId = 7302, EventName = "SectorUnsealed", Level = LogLevel.Information, Message = "Unsealed {Bytes} padded bytes of {Sector} (key regenerated in {Seconds:F1} s)")]
    private partial void LogUnsealed(string sector, ulong bytes, double seconds);

    [LoggerMessage(EventId = 7303, EventName = "PreCommit1ClearingPreviousAttempt", Level = LogLevel.Information, Message = "PreCommit1 of {Sector}: removing the sealed file and cache of a previous attempt (Lotus SealPreCommit1)")]
    private partial void LogClearingPreviousAttempt(string sector);

    [LoggerMessage(EventId = 7304, EventName = "InsecureCommit2Proof", Level = LogLevel.Warning, Message = "Commit2 of {Sector} made an INSECURE TEST PROOF: valid on no network")]
    private partial void LogInsecureProof(string sector);

    [LoggerMessage(EventId = 7305, EventName = "SectorDeclareFailed", Level = LogLevel.Warning, Message = "Declaring {Sector} {Type} in the miner's index failed: {Error}")]
    private partial void LogDeclareFailed(string sector, string type, string error);
}
