using System.Reflection;
using BenchmarkDotNet.Attributes;
using Kiln.Api;
using Kiln.Api.Types;
using Kiln.Miner.Proving;
using Kiln.Miner.Workers;
using Kiln.Proofs;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Benchmarks;

/// <summary>
/// Dispatch-to-start overhead of Window PoSt partitions: <see cref="Partitions"/> partitions sent at once through
/// the window <see cref="PoStScheduler"/> to <see cref="Workers"/> fake workers that answer at once, against the
/// same calls made straight on the workers (the baseline). The ratio is the scheduler's cost per partition.
/// </summary>
[MemoryDiagnoser]
public class PoStDispatchBenchmarks
{
    private static readonly WindowPoStResult Answer = new(new PoStProof(RegisteredPoStProof.StackedDrgWindow2KiBV1_1, new byte[192]), null);
    private PoStScheduler _scheduler = null!;
    private WorkerHandle[] _handles = [];

    [Params(4)]
    public int Workers { get; set; }

    [Params(16)]
    public int Partitions { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _scheduler = new PoStScheduler(WorkerKind.WindowPoSt, TimeProvider.System, NullLogger<PoStScheduler>.Instance);
        _handles = [.. Enumerable.Range(0, Workers).Select(i =>
        {
            var api = WindowWorkerApi.Create();
            return new WorkerHandle(Guid.NewGuid(), $"http://wdpost{i}/rpc/v0", api, new WorkerInfo($"wdpost{i}", false, new WorkerResources(64UL << 30, 0, 0, 0, 16, [], ResourceTable.Default)), new HashSet<TaskType> { TaskType.GenerateWindowPoSt }, DateTimeOffset.UnixEpoch);
        })];
        foreach (var h in _handles)
        {
            _scheduler.AddWorker(h);
        }
    }

    [Benchmark(Baseline = true)]
    public Task<WindowPoStResult[]> Direct() =>
        Task.WhenAll(Enumerable.Range(0, Partitions).Select(i => Prove(_handles[i % _handles.Length], i, CancellationToken.None)));

    [Benchmark]
    public Task<WindowPoStResult[]> Scheduled() =>
        Task.WhenAll(Enumerable.Range(0, Partitions).Select(i => _scheduler.ScheduleAsync(primary: true, (w, ct) => Prove(w, i, ct), CancellationToken.None)));

    private static Task<WindowPoStResult> Prove(WorkerHandle w, int partition, CancellationToken ct) =>
        w.Api.GenerateWindowPoStAsync(RegisteredPoStProof.StackedDrgWindow2KiBV1_1, 1000, [], partition, new byte[32], ct);

    /// <summary>A window PoSt worker whose every partition is proven at once.</summary>
    public class WindowWorkerApi : DispatchProxy
    {
        public static IWorkerApi Create() => DispatchProxy.Create<IWorkerApi, WindowWorkerApi>();

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => targetMethod!.Name switch
        {
            nameof(IWorkerApi.GenerateWindowPoStAsync) => Task.FromResult(Answer),
            _ => throw new NotSupportedException(targetMethod.Name),
        };
    }
}
