using Kiln.Api.Types;
using Kiln.Miner.Proving;
using Kiln.Miner.Workers;
using Kiln.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Kiln.Miner.Tests.Proving;

public sealed class PoStSchedulerRoutingTests
{
    [Fact]
    public async Task PoSt_workers_go_to_their_own_scheduler_and_follow_the_session_heartbeat()
    {
        var fakes = new Dictionary<string, FakeWorker>
        {
            ["http://sealer"] = new FakeWorker { Hostname = "sealer" },
            ["http://window"] = new FakeWorker { Hostname = "window", Tasks = [TaskType.GenerateWindowPoSt] },
            ["http://winning"] = new FakeWorker { Hostname = "winning", Tasks = [TaskType.GenerateWinningPoSt] },
        };
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var registry = new WorkerRegistry(url => fakes[url], new WorkerRegistryOptions(), time, NullLogger<WorkerRegistry>.Instance);
        var window = new PoStScheduler(WorkerKind.WindowPoSt, time, NullLogger<PoStScheduler>.Instance);
        var winning = new PoStScheduler(WorkerKind.WinningPoSt, time, NullLogger<PoStScheduler>.Instance);
        await registry.ConnectAsync("http://sealer", CancellationToken.None);
        window.Attach(registry);
        winning.Attach(registry);
        await registry.ConnectAsync("http://window", CancellationToken.None);
        await registry.ConnectAsync("http://winning", CancellationToken.None);

        Assert.Equal(["window"], window.WorkerStats().Select(w => w.Hostname));
        Assert.Equal("post/v0/windowproof", window.WorkerStats()[0].Task);
        Assert.Equal(["winning"], winning.WorkerStats().Select(w => w.Hostname));
        Assert.Equal(WorkerKind.Sealing, registry.Workers.Single(w => w.Info.Hostname == "sealer").Kind);

        // A failed Session disables the worker: no longer schedulable, so the miner would prove itself.
        fakes["http://window"].Fail = true;
        await registry.HeartbeatAsync(CancellationToken.None);
        Assert.False(window.CanSchedule);
        Assert.False(window.WorkerStats()[0].Enabled);
        fakes["http://window"].Fail = false;
        await registry.HeartbeatAsync(CancellationToken.None);
        Assert.True(window.CanSchedule);

        // A restarted worker (new session) is dropped.
        fakes["http://winning"].Session = Guid.NewGuid();
        await registry.HeartbeatAsync(CancellationToken.None);
        Assert.Empty(winning.WorkerStats());
        Assert.False(winning.CanSchedule);
    }

    [Fact]
    public async Task A_primary_call_waits_for_a_free_worker()
    {
        var scheduler = PoStFixture.Scheduler(WorkerKind.WindowPoSt, new FakeWorker { Hostname = "only", Tasks = [TaskType.GenerateWindowPoSt] });
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = scheduler.ScheduleAsync(primary: true, (_, _) => release.Task, CancellationToken.None);
        var second = scheduler.ScheduleAsync(primary: true, (_, _) => Task.FromResult(2), CancellationToken.None);

        Assert.False(second.IsCompleted);
        Assert.Equal(1, scheduler.WorkerStats()[0].InFlight);
        release.SetResult(1);
        Assert.Equal((1, 2), (await first, await second.WaitAsync(TimeSpan.FromSeconds(30))));
        Assert.Equal(2, scheduler.WorkerStats()[0].Completed);
    }
}
