using System.Reflection;
using BenchmarkDotNet.Attributes;
using Kiln.Api;
using Kiln.Api.Types;
using Kiln.Miner.Scheduling;
using Kiln.Miner.Workers;
using Kiln.Proofs;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Benchmarks;

/// <summary>
/// One scheduling pass with Lotus's BenchmarkTrySched shape: 200 sealing workers and 400 queued
/// requests (Lotus reports ≈130 ms for its trySched at this size). <see cref="Pass"/> measures a cold
/// pass on a fresh scheduler; <see cref="QueueAndPass"/> a warm one (requests queued, assigned, done). A pass makes no
/// worker RPC: the workers' paths are read at connect and cached on their handles.
/// </summary>
[MinColumn]
public class SchedulerBenchmarks
{
    private SealingScheduler _scheduler = null!;

    [Params(200)]
    public int Workers { get; set; }

    [Params(400)]
    public int Requests { get; set; }

    private SealingScheduler _warm = null!;

    [GlobalSetup(Target = nameof(QueueAndPass))]
    public void SetupWarm() => _warm = NewScheduler();

    [Benchmark]
    public int QueueAndPass()
    {
        var done = Task.FromResult(0);
        for (var i = 0; i < Requests; i++)
        {
            var sector = new SectorRef(new SectorId(1000, (ulong)i), RegisteredSealProof.StackedDrg2KiBV1_1);
            _ = _warm.ScheduleAsync(sector, i % 2 == 0 ? TaskType.PreCommit1 : TaskType.AddPiece, TaskSelector.Instance, (_, _) => done, CancellationToken.None);
        }

        return _warm.PassAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    private SealingScheduler NewScheduler()
    {
        var apis = Enumerable.Range(0, Workers).ToDictionary(i => $"http://w{i}/rpc/v0", i => FakeWorkerApi.Create($"w{i}"));
        var registry = new WorkerRegistry(url => apis[url], new WorkerRegistryOptions(), TimeProvider.System, NullLogger<WorkerRegistry>.Instance);
        foreach (var url in apis.Keys)
        {
            registry.ConnectAsync(url, CancellationToken.None).GetAwaiter().GetResult();
        }

        return new SealingScheduler(registry, TimeProvider.System, NullLogger<SealingScheduler>.Instance);
    }

    /// <summary>
    /// A miner runs a pass every second for its whole life, so the pass code is fully optimized (tier 1)
    /// there; BenchmarkDotNet's one-invocation iterations would otherwise time partly unoptimized code.
    /// </summary>
    [GlobalSetup(Target = nameof(Pass))]
    public void WarmUpJit()
    {
        for (var i = 0; i < 60; i++)
        {
            Setup();
            Pass();
        }

        Thread.Sleep(500); // let the background tier-1 compilation land
    }

    [IterationSetup(Target = nameof(Pass))]
    public void Setup()
    {
        _scheduler = NewScheduler();
        var never = new TaskCompletionSource<int>().Task;
        for (var i = 0; i < Requests; i++)
        {
            var sector = new SectorRef(new SectorId(1000, (ulong)i), RegisteredSealProof.StackedDrg2KiBV1_1);
            _ = _scheduler.ScheduleAsync(sector, i % 2 == 0 ? TaskType.PreCommit1 : TaskType.AddPiece, TaskSelector.Instance, (_, _) => never, CancellationToken.None);
        }
    }

    [Benchmark]
    public int Pass() => _scheduler.PassAsync(CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>A worker API that answers only what registration and heartbeats ask (Paths included).</summary>
    public class FakeWorkerApi : DispatchProxy
    {
        private string _name = "";
        private readonly Guid _session = Guid.NewGuid();

        public static IWorkerApi Create(string name)
        {
            var api = DispatchProxy.Create<IWorkerApi, FakeWorkerApi>();
            ((FakeWorkerApi)(object)api)._name = name;
            return api;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => targetMethod!.Name switch
        {
            nameof(IWorkerApi.VersionAsync) => Task.FromResult(ApiVersion.Worker),
            nameof(IWorkerApi.SessionAsync) => Task.FromResult(_session),
            nameof(IWorkerApi.InfoAsync) => Task.FromResult(new WorkerInfo(_name, false, new WorkerResources(256UL << 30, 0, 0, 0, 64, [], ResourceTable.Default))),
            nameof(IWorkerApi.TaskTypesAsync) => Task.FromResult<IReadOnlySet<TaskType>>(new HashSet<TaskType> { TaskType.AddPiece, TaskType.PreCommit1, TaskType.Fetch, TaskType.Finalize }),
            nameof(IWorkerApi.PathsAsync) => Task.FromResult<IReadOnlyList<StoragePath>>([new StoragePath(new StorageId(_name), 10, "/bench/" + _name, true, true)]), // read at connect, cached on the handle
            _ => throw new NotSupportedException(targetMethod.Name), // a pass calls nothing else: any worker RPC inside it would throw here
        };
    }
}
