using Kiln.Api;
using Kiln.Api.Types;
using Kiln.Miner.Scheduling;
using Kiln.Miner.Workers;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Miner.Tests.Scheduling;

public sealed class SealingSchedulerTests
{
    private static readonly SectorRef Sector1 = new(new SectorId(1000, 1), RegisteredSealProof.StackedDrg2KiBV1_1);
    private static readonly SectorRef Sector2 = new(new SectorId(1000, 2), RegisteredSealProof.StackedDrg2KiBV1_1);

    private static async Task<(WorkerRegistry Registry, SealingScheduler Scheduler)> SetUpAsync(params FakeWorker[] fakes)
    {
        var byUrl = fakes.Select((f, i) => (Url: $"http://worker-{i}/rpc/v0", Fake: f)).ToDictionary(x => x.Url, x => (IWorkerApi)x.Fake);
        var registry = new WorkerRegistry(url => byUrl[url], new WorkerRegistryOptions(), TimeProvider.System, NullLogger<WorkerRegistry>.Instance);
        foreach (var url in byUrl.Keys)
        {
            await registry.ConnectAsync(url, CancellationToken.None);
        }

        return (registry, new SealingScheduler(registry, TimeProvider.System, NullLogger<SealingScheduler>.Instance));
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
    public async Task A_request_waits_until_resources_are_free()
    {
        // one core: a 2 KiB PC1 takes one thread, so the second waits for the first
        var (_, scheduler) = await SetUpAsync(new FakeWorker { Cpus = 1 });
        var release = new TaskCompletionSource();
        var first = scheduler.ScheduleAsync(Sector1, TaskType.PreCommit1, TaskSelector.Instance, async (w, _) => { await release.Task; return 1; }, CancellationToken.None);
        var second = scheduler.ScheduleAsync(Sector2, TaskType.PreCommit1, TaskSelector.Instance, (w, _) => Task.FromResult(2), CancellationToken.None);

        Assert.Equal(1, await scheduler.PassAsync(CancellationToken.None));
        Assert.Equal(1, scheduler.QueueLength);
        Assert.False(second.IsCompleted);

        release.SetResult();
        Assert.Equal(1, await first);
        for (var i = 0; i < 500 && !second.IsCompleted; i++)
        {
            // the first request's resources come back right after its result
            await scheduler.PassAsync(CancellationToken.None);
            await Task.Delay(10);
        }

        Assert.Equal(2, await second);
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
        for (var i = 0; i < 500 && !(ap.IsCompleted && fin.IsCompleted); i++)
        {
            await scheduler.PassAsync(CancellationToken.None);
            await Task.Delay(10);
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
