using System.Collections.Concurrent;
using System.Threading.Channels;
using Kiln.Api;
using Kiln.Api.Types;
using Kiln.Proofs;

namespace Kiln.Testing;

/// <summary>
/// An in-process sealing worker that behaves like lotus-worker towards the miner without running any proofs: each task
/// answers with a CallID at once, then (unless its task type is <see cref="Held"/>) declares the files the task writes on
/// its storage path and sends the task's Return* to the miner, as Lotus storage/sealer/worker_local.go asyncCall and
/// doReturn do. Every call is recorded in <see cref="Calls"/>; a held call waits for the test to
/// <see cref="ReturnAsync"/> it (late, twice, with an error).
/// </summary>
public sealed class ScriptedWorker(string hostname, StorageId path) : IWorkerApi
{
    /// <summary>A PreCommit1 output stand-in.</summary>
    public static readonly byte[] PreCommit1Out = [.. "pc1-out"u8];

    /// <summary>A Commit1 output stand-in.</summary>
    public static readonly byte[] Commit1Out = [.. "c1-out"u8];

    /// <summary>A Commit2 proof stand-in.</summary>
    public static readonly byte[] Proof = [.. "porep-proof"u8];

    /// <summary>The sector CIDs PreCommit2 returns (the bench sector's CommD and CommR).</summary>
    public static readonly SectorCids Cids = new(Cid.Parse(BenchSector.CommD), Cid.Parse(BenchSector.CommR));

    private readonly ConcurrentDictionary<TaskType, int> _counts = new();
    private readonly ConcurrentQueue<Exception> _errors = new();
    private int _pathsCalls;

    public Guid Session { get; set; } = Guid.NewGuid();

    public string Hostname { get; } = hostname;

    /// <summary>The worker's one storage path (sealing and storing), which it reports in Paths and declares files on.</summary>
    public StorageId Path { get; } = path;

    /// <summary>True: Session fails, as for a worker that is down.</summary>
    public bool Fail { get; set; }

    public HashSet<TaskType> Tasks { get; init; } =
        [TaskType.AddPiece, TaskType.PreCommit1, TaskType.PreCommit2, TaskType.Commit1, TaskType.Commit2, TaskType.Finalize, TaskType.Fetch];

    /// <summary>Task types whose results the worker does not send by itself: the test returns them with <see cref="ReturnAsync"/>.</summary>
    public ConcurrentDictionary<TaskType, byte> Held { get; } = new();

    /// <summary>Errors to answer with instead of a result, taken one per call of that task type (a transient error, then success).</summary>
    public ConcurrentDictionary<TaskType, ConcurrentQueue<CallError>> Errors { get; } = new();

    /// <summary>Where Return* goes (the miner, in process or over JSON-RPC); set before the worker is attached.</summary>
    public IMinerStorageApi? Miner { get; set; }

    /// <summary>Every call the miner made, in order.</summary>
    public Channel<WorkerCall> Calls { get; } = Channel.CreateUnbounded<WorkerCall>();

    /// <summary>Exceptions the worker's own Return* sends met (a test asserts there are none).</summary>
    public IReadOnlyCollection<Exception> ReturnErrors => _errors;

    /// <summary>How many times the miner asked for the worker's Paths.</summary>
    public int PathsCalls => Volatile.Read(ref _pathsCalls);

    /// <summary>How many calls of <paramref name="task"/> the miner made.</summary>
    public int Count(TaskType task) => _counts.GetValueOrDefault(task);

    /// <summary>Declares the worker's path in the miner's index (lotus-worker does at start, StorageAttach).</summary>
    public Task AttachStorageAsync(CancellationToken ct) =>
        ReturnTo().StorageAttachAsync(
            new StorageInfo(Path, [$"http://{Hostname}/remote"], 10, 0, true, true, null, null, null, null, null, null),
            new FsStat(64L << 30, 64L << 30, 64L << 30, 0, 0, 0),
            ct);

    /// <summary>
    /// Sends the Return* of <paramref name="call"/>: <paramref name="error"/> when given, otherwise the task's stand-in
    /// result after declaring the files the task writes. The miner's answer (an RPC error for a duplicate) is thrown.
    /// </summary>
    public async Task ReturnAsync(WorkerCall call, CallError? error = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        var miner = ReturnTo();
        if (error is null)
        {
            var writes = call.Task switch
            {
                TaskType.AddPiece => SectorFileType.Unsealed,
                TaskType.PreCommit1 => SectorFileType.Sealed | SectorFileType.Cache,
                _ => SectorFileType.None,
            };
            foreach (var type in SectorFileTypes.AllSet(writes))
            {
                await miner.StorageDeclareSectorAsync(Path, call.Sector.ID, type, true, ct).ConfigureAwait(false);
            }
        }

        var id = call.Call;
        switch (call.Task)
        {
            case TaskType.AddPiece:
                await miner.ReturnAddPieceAsync(id, new PieceInfo(2032, Cid.Parse(BenchSector.CommD)), error, ct).ConfigureAwait(false);
                break;
            case TaskType.PreCommit1:
                await miner.ReturnSealPreCommit1Async(id, error is null ? PreCommit1Out : null, error, ct).ConfigureAwait(false);
                break;
            case TaskType.PreCommit2:
                await miner.ReturnSealPreCommit2Async(id, error is null ? Cids : default, error, ct).ConfigureAwait(false);
                break;
            case TaskType.Commit1:
                await miner.ReturnSealCommit1Async(id, error is null ? Commit1Out : null, error, ct).ConfigureAwait(false);
                break;
            case TaskType.Commit2:
                await miner.ReturnSealCommit2Async(id, error is null ? Proof : null, error, ct).ConfigureAwait(false);
                break;
            case TaskType.Finalize:
                await miner.ReturnFinalizeSectorAsync(id, error, ct).ConfigureAwait(false);
                break;
            case TaskType.Fetch:
                await miner.ReturnFetchAsync(id, error, ct).ConfigureAwait(false);
                break;
            default:
                throw new NotSupportedException($"{call.Task} of sector {call.Sector.ID.Number}: the scripted worker does not run it");
        }
    }

    public Task<ApiVersion> VersionAsync(CancellationToken ct) => Task.FromResult(ApiVersion.Worker);

    public Task<IReadOnlySet<TaskType>> TaskTypesAsync(CancellationToken ct) => Task.FromResult<IReadOnlySet<TaskType>>(new HashSet<TaskType>(Tasks));

    public Task<IReadOnlyList<StoragePath>> PathsAsync(CancellationToken ct)
    {
        Interlocked.Increment(ref _pathsCalls);
        return Task.FromResult<IReadOnlyList<StoragePath>>([new StoragePath(Path, 10, "/scripted/" + Hostname, true, true)]);
    }

    public Task<WorkerInfo> InfoAsync(CancellationToken ct) =>
        Task.FromResult(new WorkerInfo(Hostname, false, new WorkerResources(256UL << 30, 0, 0, 0, 64, [], ResourceTable.Default)));

    public Task<Guid> SessionAsync(CancellationToken ct) => Fail ? throw new InvalidOperationException($"worker {Hostname} unreachable") : Task.FromResult(Session);

    public Task<Guid> ProcessSessionAsync(CancellationToken ct) => Task.FromResult(Session);

    public Task<bool> EnabledAsync(CancellationToken ct) => Task.FromResult(true);

    public Task<CallId> AddPieceAsync(SectorRef sector, IReadOnlyList<ulong> pieceSizes, ulong newPieceSize, Stream pieceData, CancellationToken ct)
    {
        pieceData?.Dispose();
        return StartAsync(TaskType.AddPiece, sector);
    }

    public Task<CallId> SealPreCommit1Async(SectorRef sector, byte[] ticket, IReadOnlyList<PieceInfo> pieces, CancellationToken ct) => StartAsync(TaskType.PreCommit1, sector);

    public Task<CallId> SealPreCommit2Async(SectorRef sector, byte[] preCommit1Out, CancellationToken ct) => StartAsync(TaskType.PreCommit2, sector);

    public Task<CallId> SealCommit1Async(SectorRef sector, byte[] ticket, byte[] seed, IReadOnlyList<PieceInfo> pieces, SectorCids cids, CancellationToken ct) => StartAsync(TaskType.Commit1, sector);

    public Task<CallId> SealCommit2Async(SectorRef sector, byte[] commit1Out, CancellationToken ct) => StartAsync(TaskType.Commit2, sector);

    public Task<CallId> FinalizeSectorAsync(SectorRef sector, CancellationToken ct) => StartAsync(TaskType.Finalize, sector);

    public Task<CallId> FetchAsync(SectorRef sector, SectorFileType fileType, PathType pathType, AcquireMode mode, CancellationToken ct) => StartAsync(TaskType.Fetch, sector);

    public Task<CallId> DataCidAsync(ulong pieceSize, Stream pieceData, CancellationToken ct) => throw NotRun(nameof(DataCidAsync));

    public Task<CallId> FinalizeReplicaUpdateAsync(SectorRef sector, CancellationToken ct) => throw NotRun(nameof(FinalizeReplicaUpdateAsync));

    public Task<CallId> ReplicaUpdateAsync(SectorRef sector, IReadOnlyList<PieceInfo> pieces, CancellationToken ct) => throw NotRun(nameof(ReplicaUpdateAsync));

    public Task<CallId> ProveReplicaUpdate1Async(SectorRef sector, Cid sectorKey, Cid newSealed, Cid newUnsealed, CancellationToken ct) => throw NotRun(nameof(ProveReplicaUpdate1Async));

    public Task<CallId> ProveReplicaUpdate2Async(SectorRef sector, Cid sectorKey, Cid newSealed, Cid newUnsealed, IReadOnlyList<byte[]> vanillaProofs, CancellationToken ct) => throw NotRun(nameof(ProveReplicaUpdate2Async));

    public Task<CallId> GenerateSectorKeyFromDataAsync(SectorRef sector, Cid commD, CancellationToken ct) => throw NotRun(nameof(GenerateSectorKeyFromDataAsync));

    public Task<CallId> ReleaseUnsealedAsync(SectorRef sector, IReadOnlyList<UnpaddedRange> keepUnsealed, CancellationToken ct) => throw NotRun(nameof(ReleaseUnsealedAsync));

    public Task<CallId> MoveStorageAsync(SectorRef sector, SectorFileType types, CancellationToken ct) => throw NotRun(nameof(MoveStorageAsync));

    public Task<CallId> UnsealPieceAsync(SectorRef sector, ulong offset, ulong size, byte[] randomness, Cid commD, CancellationToken ct) => throw NotRun(nameof(UnsealPieceAsync));

    public Task<CallId> DownloadSectorDataAsync(SectorRef sector, bool finalized, IReadOnlyDictionary<SectorFileType, SectorLocation> source, CancellationToken ct) => throw NotRun(nameof(DownloadSectorDataAsync));

    public Task<IReadOnlyList<PoStProof>> GenerateWinningPoStAsync(RegisteredPoStProof proofType, ulong minerId, IReadOnlyList<PostSectorChallenge> sectors, byte[] randomness, CancellationToken ct) => throw NotRun(nameof(GenerateWinningPoStAsync));

    public Task<WindowPoStResult> GenerateWindowPoStAsync(RegisteredPoStProof proofType, ulong minerId, IReadOnlyList<PostSectorChallenge> sectors, int partitionIndex, byte[] randomness, CancellationToken ct) => throw NotRun(nameof(GenerateWindowPoStAsync));

    public Task TaskDisableAsync(TaskType taskType, CancellationToken ct) => throw NotRun(nameof(TaskDisableAsync));

    public Task TaskEnableAsync(TaskType taskType, CancellationToken ct) => throw NotRun(nameof(TaskEnableAsync));

    public Task RemoveAsync(SectorId sector, CancellationToken ct) => throw NotRun(nameof(RemoveAsync));

    public Task<IReadOnlyDictionary<StorageId, string>> StorageLocalAsync(CancellationToken ct) =>
        Task.FromResult<IReadOnlyDictionary<StorageId, string>>(new Dictionary<StorageId, string> { [Path] = "/scripted/" + Hostname });

    public Task StorageAddLocalAsync(string path, CancellationToken ct) => throw NotRun(nameof(StorageAddLocalAsync));

    public Task StorageDetachLocalAsync(string path, CancellationToken ct) => throw NotRun(nameof(StorageDetachLocalAsync));

    public Task StorageDetachAllAsync(CancellationToken ct) => throw NotRun(nameof(StorageDetachAllAsync));

    public Task StorageRedeclareLocalAsync(StorageId? id, bool dropMissing, CancellationToken ct) => throw NotRun(nameof(StorageRedeclareLocalAsync));

    public Task SetEnabledAsync(bool enabled, CancellationToken ct) => throw NotRun(nameof(SetEnabledAsync));

    public Task WaitQuietAsync(CancellationToken ct) => Task.CompletedTask;

    public Task ShutdownAsync(CancellationToken ct) => throw NotRun(nameof(ShutdownAsync));

    private Task<CallId> StartAsync(TaskType task, SectorRef sector)
    {
        var call = new WorkerCall(task, sector, new CallId(sector.ID, Guid.NewGuid()));
        _counts.AddOrUpdate(task, 1, (_, n) => n + 1);
        Calls.Writer.TryWrite(call);
        if (!Held.ContainsKey(task))
        {
            // After the CallID is back with the miner, as a lotus-worker's asyncCall returns it before the task runs.
            var error = Errors.TryGetValue(task, out var queue) && queue.TryDequeue(out var e) ? e : null;
            _ = Task.Run(async () =>
            {
                try
                {
                    await ReturnAsync(call, error).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    _errors.Enqueue(ex);
                }
            });
        }

        return Task.FromResult(call.Call);
    }

    private IMinerStorageApi ReturnTo() => Miner ?? throw new InvalidOperationException($"scripted worker {Hostname} has no miner to return to: set Miner first");

    private NotSupportedException NotRun(string method) => new($"{method}: the scripted worker {Hostname} does not run it");
}
