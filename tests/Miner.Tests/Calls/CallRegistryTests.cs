using Kiln.Api.Types;
using Kiln.Miner.Calls;
using Microsoft.Extensions.Time.Testing;

namespace Kiln.Miner.Tests.Calls;

/// <summary>Answered calls are forgotten after the retention, on the registry's clock; a lost worker's late-tracked calls fail.</summary>
public sealed class CallRegistryTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static CallId NewCall(ulong sector) => new(new SectorId(1000, sector), Guid.NewGuid());

    [Fact]
    public async Task A_delivered_call_is_remembered_for_the_retention_then_forgotten()
    {
        var time = new FakeTimeProvider();
        var calls = new CallRegistry(time, TimeSpan.FromMinutes(10));
        var call = NewCall(1);
        var waiting = calls.WaitAsync(call, None);
        calls.Complete(call, 42, null);
        Assert.Equal(42, (await waiting).Value);
        Assert.Equal(1, calls.Completed);

        // within the retention a duplicate Return* is rejected and nothing is pruned
        time.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(0, calls.Prune());
        var duplicate = Assert.Throws<InvalidOperationException>(() => calls.Complete(call, 43, null));
        Assert.Contains("already reported", duplicate.Message, StringComparison.Ordinal);

        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, calls.Prune());
        Assert.Equal(0, calls.Completed);
        Assert.Empty(calls.Pending);
    }

    [Fact]
    public async Task Registering_new_results_prunes_old_ones_without_an_explicit_call()
    {
        var time = new FakeTimeProvider();
        var calls = new CallRegistry(time, TimeSpan.FromMinutes(8));
        for (ulong i = 0; i < 100; i++)
        {
            var call = NewCall(i);
            calls.Complete(call, i, null);
            Assert.Equal(i, (await calls.WaitAsync(call, None)).Value);
        }

        Assert.Equal(100, calls.Completed);
        time.Advance(TimeSpan.FromMinutes(8));
        calls.Complete(NewCall(100), null, null); // an unknown call's result: kept until claimed or the retention passes
        Assert.Equal(1, calls.Completed);

        time.Advance(TimeSpan.FromMinutes(8));
        Assert.Equal(1, calls.Prune());
        Assert.Equal(0, calls.Completed);
    }

    [Fact]
    public async Task A_given_up_call_stays_late_until_the_retention_and_a_waiting_call_is_never_pruned()
    {
        var time = new FakeTimeProvider();
        var calls = new CallRegistry(time, TimeSpan.FromMinutes(5));
        var worker = Guid.NewGuid();
        var lost = NewCall(1);
        var running = NewCall(2);
        calls.Track(lost, worker);
        var lostWait = calls.WaitAsync(lost, None);
        var runningWait = calls.WaitAsync(running, None);
        Assert.Equal(1, calls.FailWorker(worker, new CallError(CallError.ErrTempWorkerRestart, "worker lost")));
        Assert.Equal(CallError.ErrTempWorkerRestart, (await lostWait).Error!.Code);

        time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, calls.Prune());
        Assert.False(calls.TakeLate(lost)); // forgotten: a result now counts as one for an unknown call
        Assert.Equal([running], calls.Pending);
        Assert.False(runningWait.IsCompleted);

        calls.Complete(running, "done", null);
        Assert.Equal("done", (await runningWait).Value);
    }

    [Fact]
    public async Task A_call_tracked_after_its_worker_was_given_up_fails_at_once_until_the_worker_registers_again()
    {
        var calls = new CallRegistry(new FakeTimeProvider());
        var worker = Guid.NewGuid();
        Assert.Equal(0, calls.FailWorker(worker, new CallError(CallError.ErrTempWorkerRestart, "worker lost")));

        // the worker had accepted a call just before it was lost; the miner tracks it only now
        var accepted = NewCall(1);
        calls.Track(accepted, worker);
        var result = await calls.WaitAsync(accepted, None);
        Assert.Equal(CallError.ErrTempWorkerRestart, result.Error!.Code);
        Assert.True(calls.TakeLate(accepted)); // its result, if it ever comes, is a late one

        // back and registered again: its new calls wait for their results as usual
        calls.Reconnected(worker);
        var next = NewCall(2);
        calls.Track(next, worker);
        var waiting = calls.WaitAsync(next, None);
        Assert.False(waiting.IsCompleted);
        calls.Complete(next, "ok", null);
        Assert.Equal("ok", (await waiting).Value);
    }

    [Fact]
    public void The_retention_must_be_positive()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new CallRegistry(new FakeTimeProvider(), TimeSpan.Zero));
        Assert.Contains("retention", e.Message, StringComparison.Ordinal);
    }
}
