using Kiln.Api;
using Kiln.Api.Types;
using Kiln.Proofs;

namespace Kiln.Testing;

/// <summary>A worker API that answers what the miner asks at WorkerConnect and on heartbeat.</summary>
public sealed class FakeWorker : IWorkerApi
{
    public Guid Session { get; set; } = Guid.NewGuid();

    public bool Fail { get; set; }

    public HashSet<TaskType> Tasks { get; init; } = [TaskType.AddPiece, TaskType.PreCommit1, TaskType.Fetch, TaskType.Finalize];

    public ulong Cpus { get; init; } = 2;

    public ulong Memory { get; init; } = 24UL << 30;

    public string Hostname { get; init; } = "fake-host";

    /// <summary>The resource table Info reports (a newer lotus-worker's lists task types kiln-miner does not know).</summary>
    public IReadOnlyDictionary<TaskType, IReadOnlyDictionary<RegisteredSealProof, Resources>> Table { get; init; } = ResourceTable.Default;

    /// <summary>The CallIds SealCommit2 answered with, in order; the results come later through Return*.</summary>
    public System.Threading.Channels.Channel<CallId> Commit2Calls { get; } = System.Threading.Channels.Channel.CreateUnbounded<CallId>();

    public Task<ApiVersion> VersionAsync(CancellationToken ct) => Task.FromResult(ApiVersion.Worker);

    public Task<IReadOnlySet<TaskType>> TaskTypesAsync(CancellationToken ct) => Task.FromResult<IReadOnlySet<TaskType>>(new HashSet<TaskType>(Tasks)); // a copy, as over the wire

    /// <summary>The storage paths Paths answers; null where a test does not use them.</summary>
    public IReadOnlyList<StoragePath>? StoragePaths { get; set; }

    /// <summary>The CallIds FinalizeSector answered with, in order.</summary>
    public System.Threading.Channels.Channel<CallId> FinalizeCalls { get; } = System.Threading.Channels.Channel.CreateUnbounded<CallId>();

    private int _pathsCalls;

    /// <summary>How many times the miner asked this worker for its Paths.</summary>
    public int PathsCalls => Volatile.Read(ref _pathsCalls);

    public Task<IReadOnlyList<StoragePath>> PathsAsync(CancellationToken ct)
    {
        Interlocked.Increment(ref _pathsCalls);
        return StoragePaths is { } paths ? Task.FromResult(paths) : throw new NotSupportedException("not used by these tests");
    }

    public Task<WorkerInfo> InfoAsync(CancellationToken ct) => Task.FromResult(new WorkerInfo(Hostname, false, new WorkerResources(Memory, 0, 0, 0, Cpus, [], Table)));

    public Task<CallId> DataCidAsync(ulong pieceSize, Stream pieceData, CancellationToken ct) => throw new NotSupportedException("not used by these tests");

    public Task<CallId> AddPieceAsync(SectorRef sector, IReadOnlyList<ulong> pieceSizes, ulong newPieceSize, Stream pieceData, CancellationToken ct) => throw new NotSupportedException("not used by these tests");

    public Task<CallId> SealPreCommit1Async(SectorRef sector, byte[] ticket, IReadOnlyList<PieceInfo> pieces, CancellationToken ct) => throw new NotSupportedException("not used by these tests");

    public Task<CallId> SealPreCommit2Async(SectorRef sector, byte[] preCommit1Out, CancellationToken ct) => throw new NotSupportedException("not used by these tests");

    public Task<CallId> SealCommit1Async(SectorRef sector, byte[] ticket, byte[] seed, IReadOnlyList<PieceInfo> pieces, SectorCids cids, CancellationToken ct) => throw new NotSupportedException("not used by these tests");

    public Task<CallId> SealCommit2Async(SectorRef sector, byte[] commit1Out, CancellationToken ct)
    {
        var call = new CallId(sector.ID, Guid.NewGuid());
        Commit2Calls.Writer.TryWrite(call);
        return Task.FromResult(call);
    }

    public Task<CallId> FinalizeSectorAsync(SectorRef sector, CancellationToken ct)
    {
        var call = new CallId(sector.ID, Guid.NewGuid());
        FinalizeCalls.Writer.TryWrite(call);
        return Task.FromResult(call);
    }

    public Task<CallId> FinalizeReplicaUpdateAsync(SectorRef sector, CancellationToken ct) => throw new NotSupportedException("not used by these tests");

    public Task<CallId> ReplicaUpdateAsync(SectorRef sector, IReadOnlyList<PieceInfo> pieces, CancellationToken ct) => throw new NotSupportedException("not used by these tests");

    public Task<CallId> ProveReplicaUpdate1Async(SectorRef sector, Cid sectorKey, Cid newSealed, Cid newUnsealed, CancellationToken ct) => throw new NotSupportedException("not used by these tests");

    public Task<CallId> ProveReplicaUpdate2Async(SectorRef sector, Cid sectorKey, Cid newSealed, Cid newUnsealed, IReadOnlyList<byte[]> vanillaProofs, CancellationToken ct) => throw new NotSupportedException("not used by these tests");

    public Task<CallId> GenerateSectorKeyFromDataAsync(SectorRef sector, Cid commD, CancellationToken ct) => throw new NotSupportedException("not used by these tests");

    public Task<CallId> ReleaseUnsealedAsync(SectorRef sector, IReadOnlyList<UnpaddedRange> keepUnsealed, CancellationToken ct) => throw new NotSupportedException("not used by these tests");

    public Task<CallId> MoveStorageAsync(SectorRef sector, SectorFileType types, CancellationToken ct) => throw new NotSupportedException("not used by these tests");

    public Task<CallId> UnsealPieceAsync(SectorRef sector, ulong offset, ulong size, byte[] randomness, Cid commD, CancellationToken ct) => throw new NotSupportedException("not used by these tests");

    public Task<CallId> FetchAsync(SectorRef sector, SectorFileType fileType, PathType pathType, AcquireMode mode, CancellationToken ct) => throw new NotSupportedException("not used by these tests");

    public Task<CallId> DownloadSectorDataAsync(SectorRef sector, bool finalized, IReadOnlyDictionary<SectorFileType, SectorLocation> source, CancellationToken ct) => throw new NotSupportedException("not used by these tests");

    /// <summary>What GenerateWinningPoSt answers (PoSt tests set it).</summary>
    public Func<RegisteredPoStProof, ulong, IReadOnlyList<PostSectorChallenge>, byte[], CancellationToken, Task<IReadOnlyList<PoStProof>>>? WinningPoSt { get; set; }

    /// <summary>What GenerateWindowPoSt answers (PoSt tests set it).</summary>
    public Func<RegisteredPoStProof, ulong, IReadOnlyList<PostSectorChallenge>, int, byte[], CancellationToken, Task<WindowPoStResult>>? WindowPoSt { get; set; }

    public Task<IReadOnlyList<PoStProof>> GenerateWinningPoStAsync(RegisteredPoStProof proofType, ulong minerId, IReadOnlyList<PostSectorChallenge> sectors, byte[] randomness, CancellationToken ct) =>
        WinningPoSt is { } f ? f(proofType, minerId, sectors, randomness, ct) : throw new NotSupportedException("not used by these tests");

    public Task<WindowPoStResult> GenerateWindowPoStAsync(RegisteredPoStProof proofType, ulong minerId, IReadOnlyList<PostSectorChallenge> sectors, int partitionIndex, byte[] randomness, CancellationToken ct) =>
        WindowPoSt is { } f ? f(proofType, minerId, sectors, partitionIndex, randomness, ct) : throw new NotSupportedException("not used by these tests");

    public Task TaskDisableAsync(TaskType taskType, CancellationToken ct) => throw new NotSupportedException("not used by these tests");

    public Task TaskEnableAsync(TaskType taskType, CancellationToken ct) => throw new NotSupportedException("not used by these tests");

    public Task RemoveAsync(SectorId sector, CancellationToken ct) => throw new NotSupportedException("not used by these tests");

    public Task<IReadOnlyDictionary<StorageId, string>> StorageLocalAsync(CancellationToken ct) => throw new NotSupportedException("not used by these tests");

    public Task StorageAddLocalAsync(string path, CancellationToken ct) => throw new NotSupportedException("not used by these tests");

    public Task StorageDetachLocalAsync(string path, CancellationToken ct) => throw new NotSupportedException("not used by these tests");

    public Task StorageDetachAllAsync(CancellationToken ct) => throw new NotSupportedException("not used by these tests");

    public Task StorageRedeclareLocalAsync(StorageId? id, bool dropMissing, CancellationToken ct) => throw new NotSupportedException("not used by these tests");

    public Task SetEnabledAsync(bool enabled, CancellationToken ct) => throw new NotSupportedException("not used by these tests");

    public Task<bool> EnabledAsync(CancellationToken ct) => Task.FromResult(true);

    public Task WaitQuietAsync(CancellationToken ct) => throw new NotSupportedException("not used by these tests");

    public Task<Guid> ProcessSessionAsync(CancellationToken ct) => Task.FromResult(Session);

    public Task<Guid> SessionAsync(CancellationToken ct) =>
        BeforeSession is { } gate ? GatedSessionAsync(gate, ct) : Fail ? throw new InvalidOperationException("worker unreachable") : Task.FromResult(Session);

    /// <summary>When set, every Session call awaits this first (a slow or hanging worker).</summary>
    public Func<CancellationToken, Task>? BeforeSession { get; set; }

    private async Task<Guid> GatedSessionAsync(Func<CancellationToken, Task> gate, CancellationToken ct)
    {
        await gate(ct);
        return Fail ? throw new InvalidOperationException("worker unreachable") : Session;
    }

    public Task ShutdownAsync(CancellationToken ct) => throw new NotSupportedException("not used by these tests");
}
