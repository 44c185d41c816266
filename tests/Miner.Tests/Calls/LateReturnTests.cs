using System.Net;
using Kiln.Api;
using Kiln.Api.JsonRpc;
using Kiln.Api.Types;
using Kiln.Miner.Calls;
using Kiln.Miner.Repo;
using Kiln.Miner.Sealing;
using Kiln.Miner.Workers;
using Kiln.Proofs;
using Kiln.Testing;

namespace Kiln.Miner.Tests.Calls;

/// <summary>
/// Results a worker returns after kiln-miner gave its calls up (the worker was lost: its calls failed with 101).
/// Lotus storage/sealer/manager_calltracker.go returnResult accepts a result for a call nobody waits for (it keeps it in
/// callRes) and refuses only a second one ("callRes channel already has a response" / "result for call already
/// reported"); storage/sealer/worker_local.go doReturn retries a Return* until it gets a nil error, so refusing a late
/// result would make a lotus-worker retry it forever. Lotus's manager.go keeps work results by WorkID (m.results), so
/// the same work asked for again takes the result instead of being done again.
/// </summary>
public sealed class LateReturnTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly SectorRef Sector = new(new SectorId(1000, 4), RegisteredSealProof.StackedDrg2KiBV1_1);
    private static readonly byte[] Commit1Out = [.. Enumerable.Range(0, 64).Select(i => (byte)i)];
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-miner-").FullName;
    private MinerHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await MinerHost.StartAsync(
            MinerRepo.Open(Path.Combine(_dir, "repo")),
            new MinerOptions(),
            new IPEndPoint(IPAddress.Loopback, 0),
            TimeProvider.System,
            None,
            workerOptions: new WorkerRegistryOptions { LostAfter = TimeSpan.Zero }); // the first failed heartbeat loses the worker

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private IMinerStorageApi Miner() =>
        RpcClient.Create(_host.RpcUrl, new RpcClientOptions { Token = _host.Repo.ReadToken() }).CreateProxy<IMinerStorageApi>();

    /// <summary>C2 is dispatched to the worker, which answers with a CallID; returns once the miner waits for that call.</summary>
    private async Task<(Task<byte[]> Sealing, CallId Call)> DispatchCommit2Async(FakeWorker fake)
    {
        var sealing = _host.Sealing.SealCommit2Async(Sector, Commit1Out, None);
        var call = await fake.Commit2Calls.Reader.ReadAsync().AsTask().WaitAsync(Patience);
        // The sealing manager waits for the call once the worker accepted it.
        var calls = _host.Api.Calls;
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Waiting(CallId c)
        {
            if (c == call)
            {
                waiting.TrySetResult();
            }
        }

        calls.Waiting += Waiting;
        try
        {
            if (!calls.Pending.Contains(call))
            {
                await waiting.Task.WaitAsync(Patience);
            }
        }
        finally
        {
            calls.Waiting -= Waiting;
        }

        Assert.Contains(call, calls.Pending);
        return (sealing, call);
    }

    /// <summary>The worker stops answering Session: with LostAfter 0 one heartbeat gives its calls up (101).</summary>
    private async Task LoseAsync(FakeWorker fake, Task sealing)
    {
        fake.Fail = true;
        await _host.Workers.HeartbeatAsync(None);
        var given = await Assert.ThrowsAsync<SealingException>(() => sealing.WaitAsync(Patience));
        Assert.Equal(CallError.ErrTempWorkerRestart, given.Error.Code);
    }

    [Fact]
    public async Task A_late_result_of_a_given_up_work_is_accepted_and_the_redispatch_takes_it_instead_of_sealing_again()
    {
        var fake = new FakeWorker { Hostname = "c2-host", Tasks = [TaskType.Commit2] };
        await using var worker = await LoopbackWorker.ServeAsync(fake);
        var miner = Miner();
        await miner.WorkerConnectAsync(worker.Url, None);
        var (first, call) = await DispatchCommit2Async(fake);
        await LoseAsync(fake, first);

        // The pipeline asks for the same work again; the only C2 worker is down, so it waits for a worker.
        var again = _host.Sealing.SealCommit2Async(Sector, Commit1Out, None);

        // The worker finishes the call it was given and returns it: accepted, no error.
        var proof = Enumerable.Range(0, 192).Select(i => (byte)(i * 7)).ToArray();
        await miner.ReturnSealCommit2Async(call, proof, null, None);
        var twice = await Assert.ThrowsAsync<RpcException>(() => miner.ReturnSealCommit2Async(call, proof, null, None));
        Assert.Contains($"result for call {call} already reported", twice.Message, StringComparison.Ordinal);

        // Back, the worker registers again (a lost worker was removed; kiln-worker re-registers once the miner answers
        // it again) and is given the waiting C2, which takes the kept result: no second SealCommit2.
        fake.Fail = false;
        await miner.WorkerConnectAsync(worker.Url, None);
        Assert.Equal(proof, await again.WaitAsync(Patience));
        Assert.False(fake.Commit2Calls.Reader.TryRead(out var extra), $"C2 was dispatched again as {extra}");
        Assert.Null(await _host.Works.TakeLateAsync(WorkId.For(TaskType.Commit2, Sector, Commit1Out), None));
        Assert.Null(await _host.Works.GetAsync(WorkId.For(TaskType.Commit2, Sector, Commit1Out), None));
    }

    [Fact]
    public async Task A_late_error_is_accepted_and_dropped_and_the_work_is_done_again()
    {
        var fake = new FakeWorker { Hostname = "c2-host", Tasks = [TaskType.Commit2] };
        await using var worker = await LoopbackWorker.ServeAsync(fake);
        var miner = Miner();
        await miner.WorkerConnectAsync(worker.Url, None);
        var (first, call) = await DispatchCommit2Async(fake);
        await LoseAsync(fake, first);

        // A lotus-worker that restarted reports its unfinished calls as 101 (worker_local.go): accepted, nothing kept.
        await miner.ReturnSealCommit2Async(call, null, new CallError(CallError.ErrTempWorkerRestart, "worker restarted"), None);
        Assert.Null(await _host.Works.TakeLateAsync(WorkId.For(TaskType.Commit2, Sector, Commit1Out), None));

        fake.Fail = false;
        await miner.WorkerConnectAsync(worker.Url, None); // registers again: the lost worker was removed
        var (again, second) = await DispatchCommit2Async(fake);
        Assert.NotEqual(call, second);
        var proof = Enumerable.Repeat((byte)0xc2, 192).ToArray();
        await miner.ReturnSealCommit2Async(second, proof, null, None);
        Assert.Equal(proof, await again.WaitAsync(Patience));
    }

    [Fact]
    public async Task A_late_result_of_a_call_that_is_not_a_persisted_work_is_accepted_and_dropped_once()
    {
        var fake = new FakeWorker { Hostname = "fin-host" };
        await using var worker = await LoopbackWorker.ServeAsync(fake);
        var miner = Miner();
        await miner.WorkerConnectAsync(worker.Url, None);
        var call = new CallId(Sector.ID, Guid.NewGuid());
        _host.Api.Calls.Track(call, fake.Session); // a FinalizeSector running on the worker
        var waiting = _host.Api.Calls.WaitAsync(call, None);

        fake.Fail = true;
        await _host.Workers.HeartbeatAsync(None);
        Assert.Equal(CallError.ErrTempWorkerRestart, (await waiting.WaitAsync(Patience)).Error!.Code);

        await miner.ReturnFinalizeSectorAsync(call, null, None);
        var twice = await Assert.ThrowsAsync<RpcException>(() => miner.ReturnFinalizeSectorAsync(call, null, None));
        Assert.Contains("already reported", twice.Message, StringComparison.Ordinal);
    }
}
