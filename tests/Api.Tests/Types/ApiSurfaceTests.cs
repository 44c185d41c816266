using System.Reflection;
using Kiln.Api.Types;

namespace Kiln.Api.Tests.Types;

/// <summary>
/// The interfaces against the documented method lists of Lotus's generated API docs (documentation/en/api-methods-worker.md
/// and, for the methods kiln-miner serves, api-methods-miner.md, lotus b835fab): param counts and <c>Perms</c>, copied
/// here as test data.
/// </summary>
public sealed class ApiSurfaceTests
{
    private static readonly (string Name, int Arity, string Perm)[] s_workerMethods =
    [
        ("Version", 0, "admin"), ("Session", 0, "admin"), ("ProcessSession", 0, "admin"), ("Enabled", 0, "admin"),
        ("SetEnabled", 1, "admin"), ("TaskTypes", 0, "admin"), ("TaskEnable", 1, "admin"), ("TaskDisable", 1, "admin"),
        ("Paths", 0, "admin"), ("Info", 0, "admin"), ("StorageLocal", 0, "admin"), ("StorageAddLocal", 1, "admin"),
        ("StorageDetachLocal", 1, "admin"), ("StorageDetachAll", 0, "admin"), ("StorageRedeclareLocal", 2, "admin"),
        ("Remove", 1, "admin"), ("WaitQuiet", 0, "admin"), ("Shutdown", 0, "admin"), ("Fetch", 4, "admin"),
        ("DataCid", 2, "admin"), ("AddPiece", 4, "admin"), ("SealPreCommit1", 3, "admin"), ("SealPreCommit2", 2, "admin"),
        ("SealCommit1", 5, "admin"), ("SealCommit2", 2, "admin"), ("FinalizeSector", 1, "admin"),
        ("ReleaseUnsealed", 2, "admin"), ("MoveStorage", 2, "admin"), ("UnsealPiece", 5, "admin"),
        ("ReplicaUpdate", 2, "admin"), ("ProveReplicaUpdate1", 4, "admin"), ("ProveReplicaUpdate2", 5, "admin"),
        ("GenerateSectorKeyFromData", 2, "admin"), ("FinalizeReplicaUpdate", 1, "admin"),
        ("DownloadSectorData", 3, "admin"), ("GenerateWindowPoSt", 5, "admin"), ("GenerateWinningPoSt", 4, "admin"),
    ];

    private static readonly (string Name, int Arity, string Perm)[] s_minerMethods =
    [
        ("Version", 0, "read"), ("Session", 0, "read"), ("AuthVerify", 1, "read"), ("AuthNew", 1, "admin"),
        ("ActorAddress", 0, "read"), ("ActorSectorSize", 1, "read"), ("WorkerConnect", 1, "admin"),
        ("WorkerJobs", 0, "admin"), ("WorkerStats", 0, "admin"), ("SealingAbort", 1, "admin"),
        ("ReturnDataCid", 3, "admin"), ("ReturnAddPiece", 3, "admin"), ("ReturnSealPreCommit1", 3, "admin"),
        ("ReturnSealPreCommit2", 3, "admin"), ("ReturnSealCommit1", 3, "admin"), ("ReturnSealCommit2", 3, "admin"),
        ("ReturnFinalizeSector", 2, "admin"), ("ReturnReleaseUnsealed", 2, "admin"), ("ReturnReplicaUpdate", 3, "admin"),
        ("ReturnProveReplicaUpdate1", 3, "admin"), ("ReturnProveReplicaUpdate2", 3, "admin"),
        ("ReturnGenerateSectorKeyFromData", 2, "admin"), ("ReturnFinalizeReplicaUpdate", 2, "admin"),
        ("ReturnMoveStorage", 2, "admin"), ("ReturnUnsealPiece", 2, "admin"), ("ReturnReadPiece", 3, "admin"),
        ("ReturnDownloadSector", 2, "admin"), ("ReturnFetch", 2, "admin"), ("StorageAttach", 2, "admin"),
        ("StorageDetach", 2, "admin"), ("StorageInfo", 1, "admin"), ("StorageReportHealth", 2, "admin"),
        ("StorageDeclareSector", 4, "admin"), ("StorageDropSector", 3, "admin"), ("StorageFindSector", 4, "admin"),
        ("StorageBestAlloc", 4, "admin"), ("StorageLock", 3, "admin"), ("StorageTryLock", 3, "admin"),
        ("StorageList", 0, "admin"), ("StorageGetLocks", 0, "admin"), ("StorageLocal", 0, "admin"),
        ("StorageStat", 1, "admin"), ("StorageAuthVerify", 1, "read"), ("StorageAddLocal", 1, "admin"),
        ("StorageDetachLocal", 1, "admin"), ("StorageRedeclareLocal", 2, "admin"), ("CheckProvable", 2, "admin"),
        ("ComputeDataCid", 2, "admin"),

        // Lotus api/api_storage.go (perm:admin); LotusDocVectors does not carry their examples.
        ("SealingSchedDiag", 1, "admin"), ("SealingRemoveRequest", 1, "admin"),
    ];

    public static TheoryData<string> Apis => [nameof(IWorkerApi), nameof(IMinerStorageApi)];

    [Theory]
    [MemberData(nameof(Apis))]
    public void Methods_names_arities_and_permissions_match_the_documented_list(string api)
    {
        var (type, documented) = Surface(api);
        var actual = type.GetMethods()
            .Select(m => (Name: m.Name[..^"Async".Length], Arity: WireArity(m), Perm: m.GetCustomAttribute<PermAttribute>()?.Permission))
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .ToArray();

        Assert.Equal(documented.OrderBy(m => m.Name, StringComparer.Ordinal).Select(m => (m.Name, m.Arity, (string?)m.Perm)), actual);
    }

    [Theory]
    [MemberData(nameof(Apis))]
    public void Methods_follow_the_engine_conventions(string api)
    {
        var (type, _) = Surface(api);
        Assert.Equal("Filecoin", type.GetCustomAttribute<RpcNamespaceAttribute>()?.Name);
        foreach (var m in type.GetMethods())
        {
            Assert.EndsWith("Async", m.Name, StringComparison.Ordinal);
            var ps = m.GetParameters();
            Assert.True(ps.Length > 0 && ps[^1].ParameterType == typeof(CancellationToken), $"{m.Name}: CancellationToken last");
            Assert.DoesNotContain(ps[..^1], p => p.ParameterType == typeof(CancellationToken));
            Assert.True(
                m.ReturnType == typeof(Task) || (m.ReturnType.IsGenericType && m.ReturnType.GetGenericTypeDefinition() == typeof(Task<>)),
                $"{m.Name} returns {m.ReturnType}");
        }
    }

    [Fact]
    public void The_doc_vectors_have_the_documented_arities()
    {
        foreach (var (api, method, paramsJson, _) in LotusDocVectors.All)
        {
            var (_, documented) = Surface(api == "Worker" ? nameof(IWorkerApi) : nameof(IMinerStorageApi));
            using var doc = System.Text.Json.JsonDocument.Parse(paramsJson);
            var arity = doc.RootElement.ValueKind == System.Text.Json.JsonValueKind.Null ? 0 : doc.RootElement.GetArrayLength();
            Assert.Equal(documented.Single(m => m.Name == method).Arity, arity);
        }
    }

    [Fact]
    public void Version_constants_are_lotus_values()
    {
        Assert.Equal(66816u, ApiVersion.Miner.Value);
        Assert.Equal(67328u, ApiVersion.Worker.Value);
        Assert.Equal("1.5.0", ApiVersion.Miner.ToString());
        Assert.Equal("1.7.0", ApiVersion.Worker.ToString());
        var docgen = new ApiVersion(131840);
        Assert.Equal((2u, 3u, 0u), (docgen.Major, docgen.Minor, docgen.Patch));
        Assert.True(ApiVersion.Create(1, 7, 3).EqualsMajorMinor(ApiVersion.Worker));
        Assert.False(ApiVersion.Create(1, 8, 0).EqualsMajorMinor(ApiVersion.Worker));
    }

    private static (Type Type, (string Name, int Arity, string Perm)[] Documented) Surface(string api) =>
        api == nameof(IWorkerApi) ? (typeof(IWorkerApi), s_workerMethods) : (typeof(IMinerStorageApi), s_minerMethods);

    private static int WireArity(MethodInfo m) => m.GetParameters().Count(p => p.ParameterType != typeof(CancellationToken));
}
