using System.Net.Sockets;
using System.Reflection;
using Kiln.Api;
using Kiln.Api.JsonRpc;
using Kiln.Api.Types;
using Kiln.Proofs;
using Kiln.Worker.Calls;
using Kiln.Worker.Sealing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Worker.Tests.Calls;

/// <summary>
/// The worker's call runner between the RPC surface and the miner (Lotus worker_local.go asyncCall and doReturn):
/// the CallID answered at once, the result kept in the journal until the miner takes it, a miner that is down
/// retried every interval on a fake clock, calls a restart cut answered with 101, failures as Lotus's codes.
/// </summary>
public sealed class CallRunnerTests : IAsyncLifetime
{
    private const string WorkerName = "runner-worker";
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(5);
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly SectorRef Sector7 = new(new SectorId(1000, 7), RegisteredSealProof.StackedDrg2KiBV1_1);

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "kiln-runner-" + Guid.NewGuid().ToString("N"));
    private readonly ArmedTimeProvider _time = new();
    private readonly IMinerStorageApi _minerProxy = DispatchProxy.Create<IMinerStorageApi, ScriptedMiner>();
    private CallTracker _tracker = null!;
    private CallRunner _runner = null!;

    private ScriptedMiner Miner => (ScriptedMiner)(object)_minerProxy;

    public async Task InitializeAsync()
    {
        _tracker = await CallTracker.OpenAsync(Path.Combine(_dir, "calls.sqlite"), Ct);
        _runner = NewRunner();
    }

    public async Task DisposeAsync()
    {
        await _runner.DisposeAsync();
        await _tracker.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private CallRunner NewRunner() =>
        new(_tracker, new ReturnSender(_minerProxy, _tracker, RetryInterval, _time, NullLogger.Instance), WorkerName, NullLogger.Instance);

    private Task<CallId> StartPreCommit1Async(Func<CancellationToken, Task<object?>> work) =>
        _runner.StartAsync(Sector7, TaskType.PreCommit1, ReturnType.SealPreCommit1, work, Ct);

    [Fact]
    public async Task The_call_id_is_answered_before_the_work_ends_and_the_result_goes_through_the_matching_return()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var call = await StartPreCommit1Async(async _ =>
        {
            await release.Task;
            return new byte[] { 1, 2, 3 };
        });

        Assert.Equal(Sector7.ID, call.Sector);
        var row = Assert.Single(await _tracker.ListAsync(Ct));
        Assert.Equal((call, ReturnType.SealPreCommit1, false), (row.Id, row.ReturnType, row.Done));
        Assert.Equal(1, _runner.Running);
        Assert.False(_runner.WaitQuietAsync(Ct).IsCompleted);
        Assert.Empty(Miner.Attempts);

        release.SetResult();
        await Miner.NextAttemptAsync();
        var attempt = Assert.Single(Miner.Attempts);
        Assert.Equal(("ReturnSealPreCommit1Async", call, null), (attempt.Method, attempt.Call, attempt.Error));
        Assert.Equal(new byte[] { 1, 2, 3 }, Assert.IsType<byte[]>(attempt.Result));
        await _runner.WaitQuietAsync(Ct);
        Assert.Equal(0, _runner.Running);
    }

    [Fact]
    public async Task A_late_acknowledgement_keeps_the_result_in_the_journal_until_the_miner_takes_it()
    {
        var ack = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Miner.Answer = _ => ack.Task;

        var call = await StartPreCommit1Async(_ => Task.FromResult<object?>(new byte[] { 9 }));
        await Miner.NextAttemptAsync();
        await _runner.WaitQuietAsync(Ct);

        // The work is over and the result sent, but the miner has not answered: the journal still holds the result.
        var row = Assert.Single(await _tracker.ListAsync(Ct));
        Assert.Equal((call, true, "\"CQ==\"", null), (row.Id, row.Done, row.ResultJson, row.Error));

        ack.SetResult();
        await _runner.DisposeAsync();
        Assert.Empty(await _tracker.ListAsync(Ct));
        Assert.Single(Miner.Attempts);
    }

    [Fact]
    public async Task A_miner_that_is_down_gets_the_result_again_every_retry_interval_until_it_is_up()
    {
        var refused = 2;
        Miner.Answer = _ => Interlocked.Decrement(ref refused) >= 0
            ? Task.FromException(new HttpRequestException("Connection refused (127.0.0.1:2345)", new SocketException((int)SocketError.ConnectionRefused)))
            : Task.CompletedTask;

        var call = await StartPreCommit1Async(_ => Task.FromResult<object?>(new byte[] { 7 }));
        await Miner.NextAttemptAsync();
        await _time.NextTimerAsync();

        // Not before the interval has passed on the clock.
        _time.Advance(RetryInterval - TimeSpan.FromMilliseconds(1));
        Assert.Single(Miner.Attempts);
        Assert.Single(await _tracker.ListAsync(Ct));

        _time.Advance(TimeSpan.FromMilliseconds(1));
        await Miner.NextAttemptAsync();
        await _time.NextTimerAsync();
        _time.Advance(RetryInterval);
        await Miner.NextAttemptAsync();

        await _runner.DisposeAsync();
        Assert.Equal(3, Miner.Attempts.Count);
        Assert.All(Miner.Attempts, a =>
        {
            Assert.Equal(call, a.Call);
            Assert.Equal(new byte[] { 7 }, Assert.IsType<byte[]>(a.Result));
        });
        Assert.Empty(await _tracker.ListAsync(Ct));
    }

    [Fact]
    public async Task A_result_the_miner_already_has_is_dropped_without_a_retry()
    {
        Miner.Answer = a => Task.FromException(new RpcException(RpcErrorCodes.Application, $"result for call {a.Call} already reported"));

        await StartPreCommit1Async(_ => Task.FromResult<object?>(new byte[] { 1 }));
        await Miner.NextAttemptAsync();

        await _runner.DisposeAsync();
        Assert.Single(Miner.Attempts);
        Assert.Empty(await _tracker.ListAsync(Ct));
    }

    [Fact]
    public async Task A_call_cut_by_a_restart_is_answered_with_101_when_the_worker_starts_again()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var call = await StartPreCommit1Async(async t =>
        {
            started.SetResult();
            await new TaskCompletionSource().Task.WaitAsync(t);
            return null;
        });
        await started.Task;

        // The process stops mid-call: nothing is sent, the journal keeps the call as started.
        await _runner.DisposeAsync();
        Assert.Empty(Miner.Attempts);
        Assert.False(Assert.Single(await _tracker.ListAsync(Ct)).Done);

        _runner = NewRunner();
        await _runner.ResumeTrackedCallsAsync(Ct);
        await Miner.NextAttemptAsync();

        var attempt = Assert.Single(Miner.Attempts);
        Assert.Equal(("ReturnSealPreCommit1Async", call), (attempt.Method, attempt.Call));
        Assert.Equal((CallError.ErrTempWorkerRestart, $"worker [name: {WorkerName}] restarted"), (attempt.Error!.Code, attempt.Error.Message));
        await _runner.DisposeAsync();
        Assert.Empty(await _tracker.ListAsync(Ct));
    }

    [Fact]
    public async Task An_unacknowledged_result_is_sent_again_when_the_worker_starts_again()
    {
        // The miner never answers before the worker stops.
        Miner.Answer = a => new TaskCompletionSource().Task.WaitAsync(a.Cancellation);
        var call = await StartPreCommit1Async(_ => Task.FromResult<object?>(new byte[] { 4, 2 }));
        await Miner.NextAttemptAsync();
        await _runner.DisposeAsync();

        Miner.Answer = _ => Task.CompletedTask;
        _runner = NewRunner();
        await _runner.ResumeTrackedCallsAsync(Ct);
        await Miner.NextAttemptAsync();

        var resent = Miner.Attempts.Last();
        Assert.Equal((call, null), (resent.Call, resent.Error));
        Assert.Equal(new byte[] { 4, 2 }, Assert.IsType<byte[]>(resent.Result));
        await _runner.DisposeAsync();
        Assert.Empty(await _tracker.ListAsync(Ct));
    }

    public static TheoryData<Exception, int, string> Failures => new()
    {
        { new AllocateSpaceException("no path has room for 2 KiB of sealed", new IOException("disk full")), CallError.ErrTempAllocateSpace, "PC1 of sector s-t01000-7: no path has room for 2 KiB of sealed [name: runner-worker]" },
        { new HttpRequestException("Connection refused (127.0.0.1:2345)", new SocketException((int)SocketError.ConnectionRefused)), CallError.ErrTempUnknown, "PC1 of sector s-t01000-7: Connection refused (127.0.0.1:2345) [name: runner-worker]" },
        { new InvalidOperationException("reading s-t01000-7's unsealed file: short read"), CallError.ErrUnknown, "PC1: reading s-t01000-7's unsealed file: short read [name: runner-worker]" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task A_failed_call_returns_lotus_call_error_codes_naming_task_sector_and_worker(Exception failure, int code, string message)
    {
        await StartPreCommit1Async(_ => Task.FromException<object?>(failure));
        await Miner.NextAttemptAsync();

        var attempt = Assert.Single(Miner.Attempts);
        Assert.Null(attempt.Result);
        Assert.Equal((code, message), (attempt.Error!.Code, attempt.Error.Message));
    }
}
