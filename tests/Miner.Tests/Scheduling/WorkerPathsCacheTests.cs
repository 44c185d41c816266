using Kiln.Api;
using Kiln.Api.Types;
using Kiln.Miner.Scheduling;
using Kiln.Miner.Workers;
using Kiln.Proofs;
using Kiln.Stores.Index;
using Kiln.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Miner.Tests.Scheduling;

/// <summary>A scheduling pass reads each worker's storage paths from the copy the last heartbeat took, never from the worker.</summary>
public sealed class WorkerPathsCacheTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly RegisteredSealProof Proof = RegisteredSealProof.StackedDrg2KiBV1_1;
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-paths-cache-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Passes_use_the_paths_of_the_last_heartbeat_and_ask_no_worker()
    {
        using var index = await SqlSectorIndex.OpenSqliteAsync(Path.Combine(_dir, "index.sqlite"), TimeProvider.System, None);
        var sealA = new StorageId(Guid.NewGuid().ToString());
        var sealB = new StorageId(Guid.NewGuid().ToString());
        await AttachAsync(index, sealA);
        await AttachAsync(index, sealB);
        var a = new FakeWorker { Hostname = "a", StoragePaths = [new StoragePath(sealA, 10, "/seal-a", true, false)] };
        var b = new FakeWorker { Hostname = "b", StoragePaths = [] }; // no path yet: alloc cannot choose it
        var byUrl = new Dictionary<string, IWorkerApi> { ["http://a/rpc/v0"] = a, ["http://b/rpc/v0"] = b };
        var registry = new WorkerRegistry(url => byUrl[url], new WorkerRegistryOptions(), TimeProvider.System, NullLogger<WorkerRegistry>.Instance);
        await registry.ConnectAsync("http://a/rpc/v0", None);
        await registry.ConnectAsync("http://b/rpc/v0", None);
        var scheduler = new SealingScheduler(registry, TimeProvider.System, NullLogger<SealingScheduler>.Instance);
        Assert.Equal((1, 1), (a.PathsCalls, b.PathsCalls)); // read once, at connect

        var hosts = new List<string>();
        for (ulong n = 1; n <= 6; n++)
        {
            var sector = new SectorId(1000, n);
            var selector = new StorageSelector(index, StorageSelector.Mode.Alloc, sector, SectorFileType.Unsealed, 2048, PathType.Sealing, allowFetch: false);
            var chosen = scheduler.ScheduleAsync(new SectorRef(sector, Proof), TaskType.AddPiece, selector, (w, _) => Task.FromResult(w.Info.Hostname), None);
            Assert.Equal(1, await scheduler.PassAsync(None));
            hosts.Add(await chosen);
        }

        Assert.All(hosts, h => Assert.Equal("a", h));
        Assert.Equal((1, 1), (a.PathsCalls, b.PathsCalls)); // six passes, no Paths call

        // b attaches a path and a takes its path away: the next heartbeat refreshes both copies, the passes follow
        b.StoragePaths = [new StoragePath(sealB, 10, "/seal-b", true, false)];
        a.StoragePaths = [];
        await registry.HeartbeatAsync(None);
        Assert.Equal((2, 2), (a.PathsCalls, b.PathsCalls));
        Assert.Equal([sealB], registry.Workers.Single(w => w.Info.Hostname == "b").PathIds);

        var next = new SectorId(1000, 7);
        var after = scheduler.ScheduleAsync(new SectorRef(next, Proof), TaskType.AddPiece, new StorageSelector(index, StorageSelector.Mode.Alloc, next, SectorFileType.Unsealed, 2048, PathType.Sealing, allowFetch: false), (w, _) => Task.FromResult(w.Info.Hostname), None);
        Assert.Equal(1, await scheduler.PassAsync(None));
        Assert.Equal("b", await after);
        Assert.Equal((2, 2), (a.PathsCalls, b.PathsCalls));
    }

    [Fact]
    public async Task A_failed_paths_read_keeps_the_previous_paths()
    {
        var path = new StorageId(Guid.NewGuid().ToString());
        var fake = new FakeWorker { StoragePaths = [new StoragePath(path, 10, "/seal", true, false)] };
        var registry = new WorkerRegistry(_ => fake, new WorkerRegistryOptions(), TimeProvider.System, NullLogger<WorkerRegistry>.Instance);
        var worker = await registry.ConnectAsync("http://w/rpc/v0", None);
        var refreshed = worker.PathsRefreshed;
        Assert.NotNull(refreshed);

        fake.StoragePaths = null; // Paths now throws
        await registry.HeartbeatAsync(None);

        Assert.Equal(2, fake.PathsCalls);
        Assert.Equal([path], worker.PathIds);
        Assert.Equal(refreshed, worker.PathsRefreshed);
        Assert.True(worker.Enabled); // a failed Paths is not a failed heartbeat
    }

    [Fact]
    public async Task A_pass_reads_the_index_once_per_request_whatever_the_number_of_candidate_workers()
    {
        using var sqlite = await SqlSectorIndex.OpenSqliteAsync(Path.Combine(_dir, "index.sqlite"), TimeProvider.System, None);
        var index = CountingIndex.Wrap(sqlite);
        var workers = new Dictionary<string, IWorkerApi>();
        for (var i = 0; i < 5; i++)
        {
            var id = new StorageId(Guid.NewGuid().ToString());
            await AttachAsync(sqlite, id);
            workers[$"http://w{i}/rpc/v0"] = new FakeWorker { Hostname = $"w{i}", StoragePaths = [new StoragePath(id, 10, $"/seal-{i}", true, false)] };
        }

        var registry = new WorkerRegistry(url => workers[url], new WorkerRegistryOptions(), TimeProvider.System, NullLogger<WorkerRegistry>.Instance);
        foreach (var url in workers.Keys)
        {
            await registry.ConnectAsync(url, None);
        }

        var scheduler = new SealingScheduler(registry, TimeProvider.System, NullLogger<SealingScheduler>.Instance);
        var sector = new SectorId(1000, 1);
        var selector = new StorageSelector(index, StorageSelector.Mode.Alloc, sector, SectorFileType.Unsealed, 2048, PathType.Sealing, allowFetch: false);
        var chosen = scheduler.ScheduleAsync(new SectorRef(sector, Proof), TaskType.AddPiece, selector, (w, _) => Task.FromResult(w.Info.Hostname), None);

        Assert.Equal(1, await scheduler.PassAsync(None));
        Assert.StartsWith("w", await chosen, StringComparison.Ordinal);
        var counts = ((CountingIndex)(object)index).Counts;
        Assert.Equal(1, counts.GetValueOrDefault(nameof(ISectorIndex.StorageBestAllocAsync))); // five candidates, one read
        Assert.Equal(1, counts.GetValueOrDefault(nameof(ISectorIndex.StorageFindSectorAsync)));

        // outside a pass the selector reads the index on every question, so it never answers from an old read
        Assert.True(await selector.OkAsync(registry.Workers.First(), TaskType.AddPiece, Proof, None));
        Assert.True(await selector.OkAsync(registry.Workers.First(), TaskType.AddPiece, Proof, None));
        Assert.Equal(3, counts.GetValueOrDefault(nameof(ISectorIndex.StorageBestAllocAsync)));
    }

    private static Task AttachAsync(SqlSectorIndex index, StorageId id) =>
        index.StorageAttachAsync(new StorageInfo(id, ["http://127.0.0.1:1/remote"], 10, 0, true, false, null, null, null, null, null, null), new FsStat(1L << 30, 1L << 30, 1L << 30, 0, 0, 0), None);

    /// <summary>An index that counts the calls made on it and passes them to the real one.</summary>
    public class CountingIndex : System.Reflection.DispatchProxy
    {
        private ISectorIndex _inner = null!;

        public System.Collections.Concurrent.ConcurrentDictionary<string, int> Counts { get; } = new();

        public static ISectorIndex Wrap(ISectorIndex inner)
        {
            var proxy = Create<ISectorIndex, CountingIndex>();
            ((CountingIndex)(object)proxy)._inner = inner;
            return proxy;
        }

        protected override object? Invoke(System.Reflection.MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            Counts.AddOrUpdate(targetMethod.Name, 1, (_, n) => n + 1);
            try
            {
                return targetMethod.Invoke(_inner, args);
            }
            catch (System.Reflection.TargetInvocationException e) when (e.InnerException is { } inner)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(inner);
                throw;
            }
        }
    }
}
