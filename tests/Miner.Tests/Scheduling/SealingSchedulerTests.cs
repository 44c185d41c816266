using Kiln.Api;
using Kiln.Api.Types;
using Kiln.Miner.Scheduling;
using Kiln.Miner.Workers;
using Kiln.Proofs;
using Kiln.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Kiln.Miner.Tests.Scheduling;

public sealed class SealingSchedulerTests
{
    private static readonly SectorRef Sector1 = new(new SectorId(1000, 1), RegisteredSealProof.StackedDrg2KiBV1_1);
    private static readonly SectorRef Sector2 = new(new SectorId(1000, 2), RegisteredSealProof.StackedDrg2KiBV1_1);

    private static Task<(WorkerRegistry Registry, SealingScheduler Scheduler)> SetUpAsync(params FakeWorker[] fakes) => SetUpAsync(null, fakes);

    private static async Task<(WorkerRegistry Registry, SealingScheduler Scheduler)> SetUpAsync(SchedulerOptions? options, params FakeWorker[] fakes)
    {
        var byUrl = fakes.Select((f, i) => (Url: $"http://worker-{i}/rpc/v0", Fake: f)).ToDictionary(x => x.Url, x => (IWorkerApi)x.Fake);
        var registry = new WorkerRegistry(url => byUrl[url], new WorkerRegistryOptions(), TimeProvider.System, NullLogger<WorkerRegistry>.Instance);
        foreach (var url in byUrl.Keys)
        {
            await registry.ConnectAsync(url, CancellationToken.None);
        }

        // On a clock that never moves the periodic pass never comes: a test either runs passes itself or lets the
        // scheduler's loop run the passes it is woken for (WokenPasses).
        return (registry, new SealingScheduler(registry, new FakeTimeProvider(), NullLogger<SealingScheduler>.Instance, options));
    }

    /// <summary>The scheduler's own loop, for as long as it is not disposed: a pass each time the scheduler is woken.</summary>
    private sealed class WokenPasses : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public WokenPasses(SealingScheduler scheduler) => _loop = scheduler.RunAsync(_stop.Token);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _loop.WaitAsync(TimeSpan.FromSeconds(10));
            _stop.Dispose();
        }
    }

    [Fact]
    public async Task Request_goes_to_a_worker_that_supports_the_task()
    {
        var apOnly = new FakeWorker { Hostname = "ap", Tasks = [TaskType.AddPiece] };
        var pc1 = new FakeWorker { Hostname = "pc1", Tasks = [TaskType.PreCommit1, TaskType.AddPiece] };
        var (_, scheduler) = await SetUpAsync(apOnly, pc1);

        var chosen = scheduler.ScheduleAsync(Sector1, TaskType.PreCommit1, TaskSelector.Instance, (w, _) => Task.FromResult(w.Info.Hostname), CancellationToken.None);
        Assert.Equal(1, await scheduler.PassAsync(CancellationToken.None));
        Assert.Equal("pc1", await chosen);

        // for AddPiece both qualify; the specialist (fewer task types) wins
        var ap = scheduler.ScheduleAsync(Sector1, TaskType.AddPiece, TaskSelector.Instance, (w, _) => Task.FromResult(w.Info.Hostname), CancellationToken.None);
        await scheduler.PassAsync(CancellationToken.None);
        Assert.Equal("ap", await ap);
    }

    [Fact]
    public async Task A_request_waits_in_its_window_on_the_worker_until_resources_are_free()
    {
        // one core: a 2 KiB PC1 takes one thread, so the second waits on the worker for the first
        var (registry, scheduler) = await SetUpAsync(new FakeWorker { Cpus = 1 });
        var worker = Assert.Single(registry.Workers).Id;
        var release = new TaskCompletionSource();
        var first = scheduler.ScheduleAsync(Sector1, TaskType.PreCommit1, TaskSelector.Instance, async (w, _) => { await release.Task; return 1; }, CancellationToken.None);
        var second = scheduler.ScheduleAsync(Sector2, TaskType.PreCommit1, TaskSelector.Instance, (w, _) => Task.FromResult(2), CancellationToken.None);

        Assert.Equal(2, await scheduler.PassAsync(CancellationToken.None));
        Assert.Equal(0, scheduler.QueueLength);
        Assert.Equal(1, scheduler.Assigned(worker));
        Assert.Equal(1UL, scheduler.Active(worker).CpuUse); // only the first runs
        Assert.False(second.IsCompleted);

        // the first request's resources come back with its result and the waiting one starts, no pass needed
        release.SetResult();
        Assert.Equal(1, await first);
        Assert.Equal(2, await second.WaitAsync(TimeSpan.FromSeconds(10)));

        // and the second gives the core back when done: a third request gets it
        var third = scheduler.ScheduleAsync(new SectorRef(new SectorId(1000, 3), RegisteredSealProof.StackedDrg2KiBV1_1), TaskType.PreCommit1, TaskSelector.Instance, (w, _) => Task.FromResult(3), CancellationToken.None);
        Assert.Equal(1, await scheduler.PassAsync(CancellationToken.None));
        Assert.Equal(3, await third.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_worker_holds_at_most_its_windows_of_waiting_work_and_the_rest_stays_queued()
    {
        var (registry, scheduler) = await SetUpAsync(new SchedulerOptions { Windows = 2 }, new FakeWorker { Cpus = 1 });
        var worker = Assert.Single(registry.Workers).Id;
        var release = new TaskCompletionSource();
        var all = Enumerable.Range(1, 5)
            .Select(n => scheduler.ScheduleAsync(new SectorRef(new SectorId(1000, (ulong)n), RegisteredSealProof.StackedDrg2KiBV1_1), TaskType.PreCommit1, TaskSelector.Instance, async (w, _) => { await release.Task; return n; }, CancellationToken.None))
            .ToArray();

        // pass 1 fills both windows (1 runs, 2 waits); the window of 1 reopens as 1 starts and pass 2 puts 3 in it;
        // then both windows hold waiting work and pass 3 has nowhere to put anything
        Assert.Equal(2, await scheduler.PassAsync(CancellationToken.None));
        Assert.Equal(1, await scheduler.PassAsync(CancellationToken.None));
        Assert.Equal(0, await scheduler.PassAsync(CancellationToken.None));

        Assert.Equal(2, scheduler.QueueLength);
        Assert.Equal(2, scheduler.Assigned(worker));

        release.SetResult();
        await using (new WokenPasses(scheduler))
        {
            var results = await Task.WhenAll(all).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal([1, 2, 3, 4, 5], results);
        }
    }

    [Fact]
    public async Task The_prepare_step_runs_while_the_worker_is_still_busy()
    {
        var (_, scheduler) = await SetUpAsync(new FakeWorker { Cpus = 1 });
        var release = new TaskCompletionSource();
        var prepared = new TaskCompletionSource();
        var first = scheduler.ScheduleAsync(Sector1, TaskType.PreCommit1, TaskSelector.Instance, async (w, _) => { await release.Task; return 1; }, CancellationToken.None);
        var second = scheduler.ScheduleAsync(Sector2, TaskType.PreCommit1, TaskSelector.Instance, (w, _) => { prepared.SetResult(); return Task.CompletedTask; }, (w, _) => Task.FromResult(2), CancellationToken.None);
        await scheduler.PassAsync(CancellationToken.None);

        await prepared.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(first.IsCompleted);
        Assert.False(second.IsCompleted);
        release.SetResult();
        Assert.Equal(2, await second.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Fetches_across_all_workers_respect_the_parallel_fetch_limit()
    {
        var (_, scheduler) = await SetUpAsync(new SchedulerOptions { ParallelFetchLimit = 1 }, new FakeWorker { Hostname = "a" }, new FakeWorker { Hostname = "b" });
        var gate = new TaskCompletionSource();
        var inFetch = 0;
        var most = 0;
        async Task Fetch(WorkerHandle w, CancellationToken ct)
        {
            var now = Interlocked.Increment(ref inFetch);
            InterlockedMax(ref most, now);
            await gate.Task;
            Interlocked.Decrement(ref inFetch);
        }

        var requests = new[] { Sector1, Sector2 }
            .Select(s => scheduler.ScheduleAsync(s, TaskType.PreCommit1, TaskSelector.Instance, Fetch, (w, _) => Task.FromResult(w.Info.Hostname), CancellationToken.None))
            .ToArray();
        Assert.Equal(2, await scheduler.PassAsync(CancellationToken.None));
        // The pass started both: one fetch runs and the other waits on the limit, which only the first's end releases.
        Assert.Equal(1, scheduler.FetchesRunning);
        Assert.Equal(1, Volatile.Read(ref inFetch));

        gate.SetResult();
        var hosts = await Task.WhenAll(requests).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, most);
        Assert.Equal(["a", "b"], hosts.Order()); // spread over both workers, fetched one after the other
    }

    [Fact]
    public async Task A_failed_prepare_fails_the_request_and_reopens_the_window()
    {
        var (registry, scheduler) = await SetUpAsync(new SchedulerOptions { Windows = 1 }, new FakeWorker());
        var failing = scheduler.ScheduleAsync(Sector1, TaskType.PreCommit1, TaskSelector.Instance, (w, _) => Task.FromException(new IOException("fetch failed")), (w, _) => Task.FromResult(1), CancellationToken.None);
        await scheduler.PassAsync(CancellationToken.None);
        await Assert.ThrowsAsync<IOException>(() => failing);
        // It failed before taking resources (its window reopened before its error was set).
        Assert.Equal(0UL, scheduler.Active(Assert.Single(registry.Workers).Id).CpuUse);

        var next = scheduler.ScheduleAsync(Sector2, TaskType.PreCommit1, TaskSelector.Instance, (w, _) => Task.FromResult(2), CancellationToken.None);
        await using (new WokenPasses(scheduler))
        {
            Assert.Equal(2, await next.WaitAsync(TimeSpan.FromSeconds(10)));
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    [Fact]
    public async Task Finalize_is_scheduled_before_new_pieces_and_lower_sectors_first()
    {
        var (_, scheduler) = await SetUpAsync(new FakeWorker { Cpus = 1 });
        var order = new List<string>();
        var gate = new TaskCompletionSource();
        var blocker = scheduler.ScheduleAsync(Sector1, TaskType.PreCommit1, TaskSelector.Instance, async (w, _) => { await gate.Task; return 0; }, CancellationToken.None);
        await scheduler.PassAsync(CancellationToken.None);

        var ap = scheduler.ScheduleAsync(Sector2, TaskType.AddPiece, TaskSelector.Instance, (w, _) => { order.Add("AP"); return Task.FromResult(0); }, CancellationToken.None);
        var fin = scheduler.ScheduleAsync(Sector2, TaskType.Finalize, TaskSelector.Instance, (w, _) => { order.Add("FIN"); return Task.FromResult(0); }, CancellationToken.None);
        gate.SetResult();
        await blocker;
        await using (new WokenPasses(scheduler))
        {
            await Task.WhenAll(ap, fin).WaitAsync(TimeSpan.FromSeconds(10));
        }

        Assert.Equal(["FIN", "AP"], order);
    }

    [Fact]
    public async Task Disabled_workers_get_nothing_and_cancelled_requests_leave_the_queue()
    {
        var fake = new FakeWorker();
        var (registry, scheduler) = await SetUpAsync(fake);
        fake.Fail = true;
        await registry.HeartbeatAsync(CancellationToken.None);

        using var cts = new CancellationTokenSource();
        var request = scheduler.ScheduleAsync(Sector1, TaskType.AddPiece, TaskSelector.Instance, (w, _) => Task.FromResult(0), cts.Token);
        Assert.Equal(0, await scheduler.PassAsync(CancellationToken.None));
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);
        Assert.Equal(0, scheduler.QueueLength);
    }

    [Fact]
    public void Admission_follows_lotus_rules()
    {
        var info = new WorkerInfo("h", false, new WorkerResources(64UL << 30, 0, 16UL << 30, 0, 16, [], null));
        var pc1 = ResourceTable.Default[TaskType.PreCommit1][RegisteredSealProof.StackedDrg32GiBV1_1];
        var active = new ActiveResources();
        Assert.True(active.CanHandle(pc1, TaskType.PreCommit1, info));
        active.Add(pc1, TaskType.PreCommit1, info);
        // 56 GiB min memory is used; a second 32 GiB PC1 (56 GiB + 10 MiB base) does not fit in 64 GiB of RAM
        Assert.False(active.CanHandle(pc1, TaskType.PreCommit1, info));
        Assert.True(active.CanHandle(pc1, TaskType.PreCommit1, info with { IgnoreResources = true }));
        Assert.Equal(14UL, ActiveResources.Threads(ResourceTable.Default[TaskType.PreCommit2][RegisteredSealProof.StackedDrg2KiBV1_1], 16, 0));
        var limited = pc1 with { MaxConcurrent = 1, MinMemory = 0, MaxMemory = 0 };
        Assert.False(active.CanHandle(limited, TaskType.PreCommit1, info with { IgnoreResources = true }));
    }
}
