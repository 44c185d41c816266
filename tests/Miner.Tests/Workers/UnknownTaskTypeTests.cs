using System.Net;
using System.Text.Json;
using Kiln.Api;
using Kiln.Api.JsonRpc;
using Kiln.Api.Types;
using Kiln.Miner.Repo;
using Kiln.Miner.Scheduling;
using Kiln.Miner.Workers;
using Kiln.Proofs;
using Kiln.Testing;

namespace Kiln.Miner.Tests.Workers;

/// <summary>
/// A newer lotus-worker advertises a task type kiln-miner does not know. Lotus storage/sealer/sealtasks/task.go:
/// TaskType is a plain string (Short() prints "UNK" for an unknown one); storage/sealer/manager.go AddWorker keeps the
/// worker whatever its TaskTypes; selector_task.go Ok only matches the type a request asks for, so an unknown type is
/// never scheduled while the worker still gets the tasks it shares with the miner.
/// </summary>
public sealed class UnknownTaskTypeTests : IAsyncLifetime
{
    private const string FutureTask = "seal/v0/futuretask";
    private static readonly SectorRef Sector = new(new SectorId(1000, 3), RegisteredSealProof.StackedDrg2KiBV1_1);
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-miner-").FullName;
    private MinerHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await MinerHost.StartAsync(MinerRepo.Open(Path.Combine(_dir, "repo")), new MinerOptions(), new IPEndPoint(IPAddress.Loopback, 0), TimeProvider.System, CancellationToken.None);

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>A newer worker's resource table: Lotus's worker_local.go Info sends its whole table, the unknown type included.</summary>
    private static IReadOnlyDictionary<TaskType, IReadOnlyDictionary<RegisteredSealProof, Resources>> TableWith(TaskType extra) =>
        new Dictionary<TaskType, IReadOnlyDictionary<RegisteredSealProof, Resources>>(ResourceTable.Default) { [extra] = ResourceTable.Default[TaskType.AddPiece] };

    [Fact]
    public async Task A_worker_advertising_an_unknown_task_type_registers_stays_and_gets_the_tasks_it_knows()
    {
        var future = TaskTypes.FromWire(FutureTask);
        var fake = new FakeWorker { Tasks = [TaskType.AddPiece, TaskType.Fetch, future], Table = TableWith(future) };
        await using var worker = await LoopbackWorker.ServeAsync(fake);
        var rpc = RpcClient.Create(_host.RpcUrl, new RpcClientOptions { Token = _host.Repo.ReadToken() });
        var miner = rpc.CreateProxy<IMinerStorageApi>();

        await miner.WorkerConnectAsync(worker.Url, CancellationToken.None);
        await _host.Workers.HeartbeatAsync(CancellationToken.None);
        await _host.Workers.HeartbeatAsync(CancellationToken.None);
        var handle = Assert.Single(_host.Workers.Workers);
        Assert.True(handle.Enabled);
        Assert.Equal(fake.Session, handle.Id);
        Assert.Equal(WorkerKind.Sealing, handle.Kind);

        // `sealing workers` lists the unknown type raw, as the worker sent it (Lotus: map[TaskType]struct{} keys).
        var raw = await rpc.InvokeAsync<JsonElement>("Filecoin.WorkerStats", [], CancellationToken.None);
        var tasks = raw.GetProperty(fake.Session.ToString()).GetProperty("Tasks").EnumerateArray().Select(t => t.GetString()).ToList();
        Assert.Equal(["seal/v0/fetch", FutureTask, "seal/v0/addpiece"], tasks); // by Lotus order: GET -1, unknown 0, AP 9
        Assert.Equal(FutureTask, TaskTypes.ShortName(future));

        // It gets what it shares with the miner ...
        var assigned = await _host.Scheduler.ScheduleAsync(Sector, TaskType.AddPiece, TaskSelector.Instance, (w, _) => Task.FromResult(w.Id), CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(fake.Session, assigned);

        // ... and the unknown type is never scheduled.
        var refused = await Assert.ThrowsAsync<ArgumentException>(() =>
            _host.Scheduler.ScheduleAsync(Sector, future, TaskSelector.Instance, (w, _) => Task.FromResult(w.Id), CancellationToken.None));
        Assert.Contains($"cannot schedule unknown task type {FutureTask}", refused.Message, StringComparison.Ordinal);
        Assert.Single(_host.Workers.Workers);
    }

    [Fact]
    public async Task Each_unknown_task_type_is_logged_once_per_worker()
    {
        var future = TaskTypes.FromWire(FutureTask);
        var other = TaskTypes.FromWire("post/v1/otherproof");
        var fake = new FakeWorker { Tasks = [TaskType.AddPiece, future] };
        var log = new ListLogger<WorkerRegistry>();
        var registry = new WorkerRegistry(_ => fake, new WorkerRegistryOptions(), TimeProvider.System, log);

        await registry.ConnectAsync("http://w/rpc/v0", CancellationToken.None);
        await registry.HeartbeatAsync(CancellationToken.None);
        fake.Tasks.Remove(TaskType.AddPiece); // the task set changes: the unknown type is seen again, not logged again
        await registry.HeartbeatAsync(CancellationToken.None);
        fake.Tasks.Add(other);
        await registry.HeartbeatAsync(CancellationToken.None);
        await registry.HeartbeatAsync(CancellationToken.None);

        var unknown = log.Entries.Where(e => e.Id.Name == "WorkerUnknownTask").Select(e => e.Message).ToList();
        Assert.Equal(2, unknown.Count);
        Assert.Contains(FutureTask, unknown[0], StringComparison.Ordinal);
        Assert.Contains("post/v1/otherproof", unknown[1], StringComparison.Ordinal);
        Assert.True(Assert.Single(registry.Workers).Enabled);
    }
}
