using Kiln.Api.Types;
using Kiln.Proofs;

namespace Kiln.Api.Tests.Types;

/// <summary>
/// The C# values of the examples in <see cref="LotusDocVectors"/>, built by hand from what the docs show:
/// params (in order) and result of each method. <see cref="Reader"/> marks an <c>io.Reader</c> param (docs: <c>{}</c>).
/// </summary>
internal static class DocExamples
{
    /// <summary>An <c>io.Reader</c> param: the JSON-RPC engine encodes those, the docs show <c>{}</c>.</summary>
    public static readonly object Reader = new();

    public static readonly Cid DocCid = Cid.Parse("bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4");
    public static readonly Guid Uuid07 = Guid.Parse("07070707-0707-0707-0707-070707070707");
    public static readonly SectorId Sector = new(1000, 9);
    public static readonly SectorRef Ref = new(Sector, RegisteredSealProof.StackedDrg32GiBV1_1);
    public static readonly CallId Call = new(Sector, Uuid07);
    public static readonly byte[] Bw = [0x07];
    public static readonly byte[] ByteArray = "byte array"u8.ToArray();
    public static readonly CallError Err = new(CallError.ErrUnknown, "string value");
    public static readonly PieceInfo Piece = new(1032, DocCid);
    public static readonly StorageId PathId = new("76f1988b-ef30-4d7e-b3ec-9a627f4ba5a8");
    public static readonly StorageId RedeclareId = new("1399aa04-2625-44b1-bad4-bd07b59b22c4");
    public static readonly string[] Strings = ["string value"];
    public static readonly FsStat Stat9 = new(9, 9, 9, 9, 9, 9);
    public static readonly StorageInfo Info = new(PathId, Strings, 42, 42, true, true, Strings, Strings, Strings, Strings, Strings, Strings);
    public static readonly PostSectorChallenge Challenge = new(RegisteredSealProof.StackedDrg32GiBV1_1, 9, DocCid, [42], true);
    public static readonly Guid WorkerId = Guid.Parse("ef8d99a2-6865-4189-8ffa-9fef0f806eee");
    public static readonly IReadOnlyDictionary<StorageId, string> LocalPaths = new Dictionary<StorageId, string> { [PathId] = "/data/path" };

    private const ulong SectorSize32GiB = 34359738368;

    public static IReadOnlyDictionary<TaskType, IReadOnlyDictionary<RegisteredSealProof, Resources>> ResourceTable =>
        System.Text.Json.JsonSerializer.Deserialize<IReadOnlyDictionary<TaskType, IReadOnlyDictionary<RegisteredSealProof, Resources>>>(
            LotusDocVectors.ResourceTable, ApiJson.Options)!;

    /// <summary>Params by "Api.Method".</summary>
    public static readonly IReadOnlyDictionary<string, object?[]> Params = new Dictionary<string, object?[]>
    {
        ["Worker.Version"] = [],
        ["Worker.Session"] = [],
        ["Worker.ProcessSession"] = [],
        ["Worker.Enabled"] = [],
        ["Worker.SetEnabled"] = [true],
        ["Worker.TaskTypes"] = [],
        ["Worker.TaskEnable"] = [TaskType.Commit2],
        ["Worker.TaskDisable"] = [TaskType.Commit2],
        ["Worker.Paths"] = [],
        ["Worker.Info"] = [],
        ["Worker.StorageLocal"] = [],
        ["Worker.StorageAddLocal"] = ["string value"],
        ["Worker.StorageDetachLocal"] = ["string value"],
        ["Worker.StorageDetachAll"] = [],
        ["Worker.StorageRedeclareLocal"] = [(StorageId?)RedeclareId, true],
        ["Worker.Remove"] = [Sector],
        ["Worker.WaitQuiet"] = [],
        ["Worker.Shutdown"] = [],
        ["Worker.Fetch"] = [Ref, SectorFileType.Unsealed, PathType.Sealing, AcquireMode.Move],
        ["Worker.DataCid"] = [1024UL, Reader],
        ["Worker.AddPiece"] = [Ref, new ulong[] { 1024 }, 1024UL, Reader],
        ["Worker.SealPreCommit1"] = [Ref, Bw, new[] { Piece }],
        ["Worker.SealPreCommit2"] = [Ref, Bw],
        ["Worker.SealCommit1"] = [Ref, Bw, Bw, new[] { Piece }, new SectorCids(DocCid, DocCid)],
        ["Worker.SealCommit2"] = [Ref, Bw],
        ["Worker.FinalizeSector"] = [Ref],
        ["Worker.ReleaseUnsealed"] = [Ref, new[] { new UnpaddedRange(1024, 1024) }],
        ["Worker.MoveStorage"] = [Ref, SectorFileType.Unsealed],
        ["Worker.UnsealPiece"] = [Ref, 1040384UL, 1024UL, Bw, DocCid],
        ["Worker.ReplicaUpdate"] = [Ref, new[] { Piece }],
        ["Worker.ProveReplicaUpdate1"] = [Ref, DocCid, DocCid, DocCid],
        ["Worker.ProveReplicaUpdate2"] = [Ref, DocCid, DocCid, DocCid, new[] { ByteArray }],
        ["Worker.GenerateSectorKeyFromData"] = [Ref, DocCid],
        ["Worker.FinalizeReplicaUpdate"] = [Ref],
        ["Worker.DownloadSectorData"] =
        [
            Ref,
            true,
            new Dictionary<SectorFileType, SectorLocation>
            {
                [SectorFileType.Sealed] = new(false, "https://example.com/sealingservice/sectors/s-f0123-12345", null),
            },
        ],
        ["Worker.GenerateWindowPoSt"] = [RegisteredPoStProof.StackedDrgWindow32GiBV1, 1000UL, new[] { Challenge }, 123, Bw],
        ["Worker.GenerateWinningPoSt"] = [RegisteredPoStProof.StackedDrgWindow32GiBV1, 1000UL, new[] { Challenge }, Bw],

        ["Miner.Version"] = [],
        ["Miner.Session"] = [],
        ["Miner.AuthVerify"] = ["string value"],
        ["Miner.AuthNew"] = [new[] { Permission.Write }],
        ["Miner.ActorAddress"] = [],
        ["Miner.ActorSectorSize"] = ["f01234"],
        ["Miner.WorkerConnect"] = ["string value"],
        ["Miner.WorkerJobs"] = [],
        ["Miner.WorkerStats"] = [],
        ["Miner.SealingAbort"] = [Call],
        ["Miner.ReturnDataCid"] = [Call, Piece, Err],
        ["Miner.ReturnAddPiece"] = [Call, Piece, Err],
        ["Miner.ReturnSealPreCommit1"] = [Call, Bw, Err],
        ["Miner.ReturnSealPreCommit2"] = [Call, new SectorCids(DocCid, DocCid), Err],
        ["Miner.ReturnSealCommit1"] = [Call, Bw, Err],
        ["Miner.ReturnSealCommit2"] = [Call, Bw, Err],
        ["Miner.ReturnFinalizeSector"] = [Call, Err],
        ["Miner.ReturnReleaseUnsealed"] = [Call, Err],
        ["Miner.ReturnReplicaUpdate"] = [Call, new ReplicaUpdateOut(DocCid, DocCid), Err],
        ["Miner.ReturnProveReplicaUpdate1"] = [Call, new[] { ByteArray }, Err],
        ["Miner.ReturnProveReplicaUpdate2"] = [Call, Bw, Err],
        ["Miner.ReturnGenerateSectorKeyFromData"] = [Call, Err],
        ["Miner.ReturnFinalizeReplicaUpdate"] = [Call, Err],
        ["Miner.ReturnMoveStorage"] = [Call, Err],
        ["Miner.ReturnUnsealPiece"] = [Call, Err],
        ["Miner.ReturnReadPiece"] = [Call, true, Err],
        ["Miner.ReturnDownloadSector"] = [Call, Err],
        ["Miner.ReturnFetch"] = [Call, Err],
        ["Miner.StorageAttach"] = [Info, Stat9],
        ["Miner.StorageDetach"] = [PathId, "string value"],
        ["Miner.StorageInfo"] = [PathId],
        ["Miner.StorageReportHealth"] = [PathId, new HealthReport(Stat9, "string value")],
        ["Miner.StorageDeclareSector"] = [PathId, Sector, SectorFileType.Unsealed, true],
        ["Miner.StorageDropSector"] = [PathId, Sector, SectorFileType.Unsealed],
        ["Miner.StorageFindSector"] = [Sector, SectorFileType.Unsealed, SectorSize32GiB, true],
        ["Miner.StorageBestAlloc"] = [SectorFileType.Unsealed, SectorSize32GiB, PathType.Sealing, 1000UL],
        ["Miner.StorageLock"] = [Sector, SectorFileType.Unsealed, SectorFileType.Unsealed],
        ["Miner.StorageTryLock"] = [Sector, SectorFileType.Unsealed, SectorFileType.Unsealed],
        ["Miner.StorageList"] = [],
        ["Miner.StorageGetLocks"] = [],
        ["Miner.StorageLocal"] = [],
        ["Miner.StorageStat"] = [PathId],
        ["Miner.StorageAuthVerify"] = ["string value"],
        ["Miner.StorageAddLocal"] = ["string value"],
        ["Miner.StorageDetachLocal"] = ["string value"],
        ["Miner.StorageRedeclareLocal"] = [(StorageId?)RedeclareId, true],
        ["Miner.CheckProvable"] = [RegisteredPoStProof.StackedDrgWindow32GiBV1, new[] { Ref }],
        ["Miner.ComputeDataCid"] = [1024UL, Reader],
    };

    /// <summary>Results by "Api.Method", for methods that return a value (the others are documented as <c>{}</c>).</summary>
    public static readonly IReadOnlyDictionary<string, object> Results = new Dictionary<string, object>
    {
        ["Worker.Version"] = new ApiVersion(131840),
        ["Worker.Session"] = Uuid07,
        ["Worker.ProcessSession"] = Uuid07,
        ["Worker.Enabled"] = true,
        ["Worker.TaskTypes"] = new HashSet<TaskType> { TaskType.PreCommit2 },
        ["Worker.Paths"] = new[] { new StoragePath(PathId, 42, "string value", true, true) },
        ["Worker.Info"] = new WorkerInfo("string value", true, new WorkerResources(42, 42, 42, 42, 42, Strings, ResourceTable)),
        ["Worker.StorageLocal"] = LocalPaths,
        ["Worker.Fetch"] = Call,
        ["Worker.DataCid"] = Call,
        ["Worker.AddPiece"] = Call,
        ["Worker.SealPreCommit1"] = Call,
        ["Worker.SealPreCommit2"] = Call,
        ["Worker.SealCommit1"] = Call,
        ["Worker.SealCommit2"] = Call,
        ["Worker.FinalizeSector"] = Call,
        ["Worker.ReleaseUnsealed"] = Call,
        ["Worker.MoveStorage"] = Call,
        ["Worker.UnsealPiece"] = Call,
        ["Worker.ReplicaUpdate"] = Call,
        ["Worker.ProveReplicaUpdate1"] = Call,
        ["Worker.ProveReplicaUpdate2"] = Call,
        ["Worker.GenerateSectorKeyFromData"] = Call,
        ["Worker.FinalizeReplicaUpdate"] = Call,
        ["Worker.DownloadSectorData"] = Call,
        ["Worker.GenerateWindowPoSt"] = new WindowPoStResult(new PoStProof(RegisteredPoStProof.StackedDrgWindow32GiBV1, ByteArray), [Sector]),
        ["Worker.GenerateWinningPoSt"] = new[] { new PoStProof(RegisteredPoStProof.StackedDrgWindow32GiBV1, ByteArray) },

        ["Miner.Version"] = new ApiVersionInfo("string value", new ApiVersion(131840), 42, "string value"),
        ["Miner.Session"] = Uuid07,
        ["Miner.AuthVerify"] = new[] { Permission.Write },
        ["Miner.AuthNew"] = ByteArray,
        ["Miner.ActorAddress"] = "f01234",
        ["Miner.ActorSectorSize"] = SectorSize32GiB,
        ["Miner.WorkerJobs"] = new Dictionary<Guid, IReadOnlyList<WorkerJob>>
        {
            [WorkerId] =
            [
                new WorkerJob(
                    new CallId(new SectorId(1000, 100), Guid.Parse("76081ba0-61bd-45a5-bc08-af05f1c26e5d")),
                    new SectorId(1000, 100),
                    TaskType.PreCommit2,
                    0,
                    new DateTimeOffset(2020, 11, 12, 9, 22, 7, TimeSpan.Zero),
                    "host"),
            ],
        },
        ["Miner.WorkerStats"] = new Dictionary<Guid, WorkerStats>
        {
            [WorkerId] = new WorkerStats(
                new WorkerInfo("host", false, new WorkerResources(274877906944, 2147483648, 128849018880, 2147483648, 64, ["aGPU 1337"], ResourceTable)),
                Tasks: null,
                Enabled: true,
                MemUsedMin: 0,
                MemUsedMax: 0,
                GpuUsed: 0,
                CpuUse: 0,
                TaskCounts: null),
        },
        ["Miner.StorageInfo"] = Info,
        ["Miner.StorageFindSector"] = new[]
        {
            new SectorStorageInfo(PathId, Strings, Strings, 42, true, true, true, Strings, Strings, Strings, Strings),
        },
        ["Miner.StorageBestAlloc"] = new[] { Info },
        ["Miner.StorageTryLock"] = true,
        ["Miner.StorageList"] = new Dictionary<StorageId, IReadOnlyList<Decl>>
        {
            [PathId] = [new Decl(1000, 100, SectorFileType.Sealed)],
        },
        ["Miner.StorageGetLocks"] = new SectorLocks([new SectorLock(new SectorId(1000, 123), [0, 0, 1, 0, 0, 0], [2, 3, 0, 0, 0, 0])]),
        ["Miner.StorageLocal"] = LocalPaths,
        ["Miner.StorageStat"] = Stat9,
        ["Miner.StorageAuthVerify"] = new[] { Permission.Write },
        ["Miner.CheckProvable"] = new Dictionary<ulong, string> { [123] = "can't acquire read lock" },
        ["Miner.ComputeDataCid"] = Piece,
    };
}
