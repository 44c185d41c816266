using Kiln.Api.Types;
using Kiln.Miner.Calls;
using Kiln.Miner.Workers;
using Kiln.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Kiln.Miner.Tests.Workers;

public sealed class WorkerLossTests
{
    [Fact]
    public async Task Calls_of_a_worker_that_stays_unreachable_fail_with_101_so_the_work_is_rescheduled()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var fake = new FakeWorker();
        var registry = new WorkerRegistry(_ => fake, new WorkerRegistryOptions { LostAfter = TimeSpan.FromMinutes(1) }, time, NullLogger<WorkerRegistry>.Instance);
        var calls = new CallRegistry();
        var lost = 0;
        registry.Lost += w =>
        {
            lost++;
            calls.FailWorker(w.Id, new CallError(CallError.ErrTempWorkerRestart, "worker lost"));
        };
        var worker = await registry.ConnectAsync("http://w/rpc/v0", CancellationToken.None);

        var running = new CallId(new SectorId(1000, 1), Guid.NewGuid());
        var other = new CallId(new SectorId(1000, 2), Guid.NewGuid());
        calls.Track(running, worker.Id);
        calls.Track(other, Guid.NewGuid());
        var waiting = calls.WaitAsync(running, CancellationToken.None);

        fake.Fail = true; // kill -9: Session calls fail from now on
        time.Advance(TimeSpan.FromSeconds(10));
        await registry.HeartbeatAsync(CancellationToken.None);
        Assert.False(worker.Enabled);
        Assert.False(waiting.IsCompleted);

        time.Advance(TimeSpan.FromMinutes(1));
        await registry.HeartbeatAsync(CancellationToken.None);
        await registry.HeartbeatAsync(CancellationToken.None);
        var result = await waiting;
        Assert.Equal(CallError.ErrTempWorkerRestart, result.Error!.Code);
        Assert.Equal(1, lost);

        // a late result for a call given up is taken once as late (MinerApi accepts it, Lotus manager_calltracker.go
        // returnResult accepts results nobody waits for) and is never delivered; the other worker's call is untouched
        Assert.True(calls.TakeLate(running));
        Assert.False(calls.TakeLate(running));
        Assert.False(calls.TakeLate(other));
        Assert.Throws<InvalidOperationException>(() => calls.Complete(running, null, null));
        calls.Complete(other, 7, null);
        Assert.Equal(7, (await calls.WaitAsync(other, CancellationToken.None)).Value);
    }
}
