using Kiln.Api.Types;
using Kiln.Miner.Calls;
using Kiln.Miner.Workers;
using Kiln.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Kiln.Miner.Tests.Workers;

/// <summary>
/// Regression: 775 registrations of workers that died stayed in the registry forever (RSS 93 → 527 MiB) and
/// were all probed by every heartbeat at once. Now a worker unreachable past LostAfter is removed after its calls fail
/// with 101, and heartbeats run a bounded number at a time.
/// </summary>
public sealed class DeadWorkerRemovalTests
{
    [Fact]
    public async Task Workers_unreachable_past_lost_after_are_removed_after_their_calls_fail_and_may_register_again()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var fakes = new Dictionary<string, FakeWorker>();
        var registry = new WorkerRegistry(url => fakes[url], new WorkerRegistryOptions { LostAfter = TimeSpan.FromMinutes(1) }, time, NullLogger<WorkerRegistry>.Instance);
        var calls = new CallRegistry();
        var events = new List<string>();
        // Heartbeats run in parallel, so the handlers may run at once: the list is guarded.
        registry.Lost += w =>
        {
            lock (events)
            {
                events.Add("lost " + w.Url);
            }

            calls.FailWorker(w.Id, new CallError(CallError.ErrTempWorkerRestart, "worker lost"));
        };
        registry.Removed += w =>
        {
            lock (events)
            {
                events.Add("removed " + w.Url);
            }
        };

        const int Dead = 775;
        for (var i = 0; i < Dead + 1; i++)
        {
            var url = $"http://10.0.{i / 256}.{i % 256}:3456/rpc/v0";
            fakes[url] = new FakeWorker { Hostname = "w" + i };
            await registry.ConnectAsync(url, CancellationToken.None);
        }

        var alive = fakes.Keys.Last();
        var first = fakes.Keys.First();
        var running = new CallId(new SectorId(1000, 1), Guid.NewGuid());
        calls.Track(running, registry.Workers.First(w => w.Url == first).Id);
        var waiting = calls.WaitAsync(running, CancellationToken.None);
        foreach (var (url, fake) in fakes)
        {
            fake.Fail = url != alive; // kill -9 of all but one
        }

        time.Advance(TimeSpan.FromSeconds(10));
        await registry.HeartbeatAsync(CancellationToken.None);
        Assert.Equal(Dead + 1, registry.Workers.Count);
        Assert.Equal(1, registry.Workers.Count(w => w.Enabled));
        Assert.Empty(events);

        time.Advance(TimeSpan.FromMinutes(1));
        await registry.HeartbeatAsync(CancellationToken.None);

        Assert.Equal(alive, Assert.Single(registry.Workers).Url);
        Assert.Equal(CallError.ErrTempWorkerRestart, (await waiting).Error!.Code);
        Assert.Equal(Dead * 2, events.Count);
        // Each worker: its calls fail first (Lost), then it leaves the schedulers (Removed).
        Assert.Equal(["lost " + first, "removed " + first], events.Where(e => e.EndsWith(" " + first, StringComparison.Ordinal)));
        Assert.Null(registry.Find(fakes[first].Session));

        // Later heartbeats probe only the live worker.
        await registry.HeartbeatAsync(CancellationToken.None);
        Assert.Equal(Dead * 2, events.Count);

        // A worker that comes back registers again under its session.
        fakes[first].Fail = false;
        var again = await registry.ConnectAsync(first, CancellationToken.None);
        Assert.Equal(fakes[first].Session, again.Id);
        Assert.Equal(2, registry.Workers.Count);
    }

    [Fact]
    public async Task Heartbeats_run_at_most_the_configured_number_at_once()
    {
        var registry = new WorkerRegistry(_ => new FakeWorker(), new WorkerRegistryOptions { MaxConcurrentHeartbeats = 4 }, TimeProvider.System, NullLogger<WorkerRegistry>.Instance);
        var workers = new List<WorkerHandle>();
        for (var i = 0; i < 100; i++)
        {
            workers.Add(await registry.ConnectAsync($"http://w{i}/rpc/v0", CancellationToken.None));
        }

        var inFlight = 0;
        var max = 0;
        var calls = 0;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var full = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        foreach (var w in workers)
        {
            ((FakeWorker)w.Api).BeforeSession = async ct =>
            {
                var now = Interlocked.Increment(ref inFlight);
                Interlocked.Increment(ref calls);
                InterlockedMax(ref max, now);
                if (now >= 4)
                {
                    full.TrySetResult();
                }

                await release.Task.WaitAsync(ct);
                Interlocked.Decrement(ref inFlight);
            };
        }

        var heartbeat = registry.HeartbeatAsync(CancellationToken.None);
        await full.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(4, Volatile.Read(ref inFlight));
        release.SetResult();
        await heartbeat.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal((100, 4), (calls, max));
        Assert.All(registry.Workers, w => Assert.True(w.Enabled));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
