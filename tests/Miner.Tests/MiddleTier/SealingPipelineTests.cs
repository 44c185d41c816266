using Kiln.Api.JsonRpc;
using Kiln.Api.Types;
using Kiln.Miner.Sealing;
using Kiln.Miner.Workers;
using Kiln.Proofs;
using Kiln.Testing;

namespace Kiln.Miner.Tests.MiddleTier;

/// <summary>
/// The real miner (AddKilnMiner) in a TestServer with in-process scripted workers returning their results through the
/// miner's JSON-RPC endpoint: a pledged sector goes through AP, PC1, PC2, C1, C2 and FIN with the sector pipeline,
/// sealing manager, scheduler, call registry, work store and index all real. The clock is fake: a retry or a
/// heartbeat happens when the test advances it, once the timer exists; a wait on the devnet chain (the interactive
/// seed) passes as the chain polls, one epoch per poll.
/// </summary>
public sealed class SealingPipelineTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly CancellationToken None = CancellationToken.None;

    /// <summary>One devnet epoch here: the chain polls its head on a timer of this length, which nothing else in the miner uses.</summary>
    private static readonly TimeSpan ChainEpoch = TimeSpan.FromMilliseconds(30);
    private static readonly TimeSpan FirstRetry = SectorPipeline.RetryDelayFor(1);
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-middle-").FullName;
    private readonly TimerWatchingTimeProvider _time = new();
    private readonly CancellationTokenSource _pumping = new();
    private TestMiner _miner = null!;
    private Task _pump = Task.CompletedTask;

    private SectorPipeline Pipeline => _miner.Miner.Pipeline;

    public async Task InitializeAsync()
    {
        _miner = await TestMiner.StartAsync(
            Path.Combine(_dir, "repo"),
            o =>
            {
                o.DatabaseBackupInterval = TimeSpan.Zero;
                o.Workers = new WorkerRegistryOptions { LostAfter = TimeSpan.Zero }; // the first failed heartbeat loses a worker
                o.Proving.EpochDuration = ChainEpoch;
                o.Sealing.MaxPreCommitBatch = 1; // each sector's message goes at once: no batch wait on the fake clock
                o.Sealing.MaxCommitBatch = 1;
            },
            _time);
        _pump = PumpChainAsync(_pumping.Token);
    }

    public async Task DisposeAsync()
    {
        await _pumping.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _pump);
        _pumping.Dispose();
        await _miner.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task A_pledged_sector_goes_through_every_stage_to_Proving_with_its_files_declared()
    {
        var worker = await WorkerAsync("sealer");

        var sector = await Pipeline.PledgeAsync(None);
        var record = await WaitForStateAsync(sector.Number, SectorState.Proving);

        Assert.Null(record.Error);
        Assert.Equal(2032UL, Assert.Single(record.Pieces).Size);
        Assert.Equal(ScriptedWorker.PreCommit1Out, record.PreCommit1Out);
        Assert.Equal(ScriptedWorker.Cids, record.Cids);
        Assert.Equal(ScriptedWorker.Proof, record.PoRepProof);
        Assert.NotNull(record.Ticket);
        Assert.NotNull(record.Seed);

        // one call per stage, in the pipeline's order, with the fetch (prepare) steps of PC1, PC2 and C1
        Assert.Equal(
            [TaskType.AddPiece, TaskType.Fetch, TaskType.PreCommit1, TaskType.Fetch, TaskType.PreCommit2, TaskType.Fetch, TaskType.Commit1, TaskType.Commit2, TaskType.Finalize],
            Drain(worker).Select(c => c.Task));

        // the files the worker wrote are declared on its path; no work is left in the work store; nothing waits
        foreach (var type in new[] { SectorFileType.Unsealed, SectorFileType.Sealed, SectorFileType.Cache })
        {
            var found = await _miner.Miner.Index.StorageFindSectorAsync(sector, type, 0, false, None);
            Assert.Equal(worker.Path, Assert.Single(found).ID);
        }

        Assert.Empty(await _miner.Miner.Works.ListAsync(None));
        Assert.Empty(_miner.Miner.Calls.Pending);
        Assert.Empty(worker.ReturnErrors);

        // every scheduling pass used the paths read at connect: the worker was never asked again
        Assert.Equal(1, worker.PathsCalls);
    }

    [Fact]
    public async Task A_second_Return_of_a_call_is_refused_and_a_Return_for_an_unknown_call_is_accepted_once()
    {
        var worker = await WorkerAsync("sealer");
        worker.Held[TaskType.PreCommit2] = 0;
        var sector = await Pipeline.PledgeAsync(None);
        var pc2 = await NextCallAsync(worker, TaskType.PreCommit2);

        await worker.ReturnAsync(pc2);
        var twice = await Assert.ThrowsAsync<RpcException>(() => worker.ReturnAsync(pc2));
        Assert.Contains($"result for call {pc2.Call} already reported", twice.Message, StringComparison.Ordinal);

        var record = await WaitForStateAsync(sector.Number, SectorState.Proving);
        Assert.Equal(ScriptedWorker.Cids, record.Cids);
        Assert.Equal(1, worker.Count(TaskType.PreCommit2));

        // Lotus manager_calltracker.go returnResult keeps a result nobody waits for and refuses only a second one
        var unknown = new WorkerCall(TaskType.Commit2, new SectorRef(new SectorId(1000, 999), RegisteredSealProof.StackedDrg2KiBV1_1), new CallId(new SectorId(1000, 999), Guid.NewGuid()));
        await worker.ReturnAsync(unknown);
        var again = await Assert.ThrowsAsync<RpcException>(() => worker.ReturnAsync(unknown));
        Assert.Contains("already reported", again.Message, StringComparison.Ordinal);
        Assert.Equal(SectorState.Proving, (await Pipeline.GetAsync(sector.Number, None))!.State);
    }

    [Fact]
    public async Task A_transient_error_is_retried_after_the_retry_delay_and_a_permanent_one_fails_the_sector()
    {
        var worker = await WorkerAsync("sealer");
        worker.Errors[TaskType.PreCommit1] = new([new CallError(CallError.ErrTempUnknown, "acquire sector: connection refused")]);
        var retry = _time.TimerCreated(FirstRetry);

        var sector = await Pipeline.PledgeAsync(None);
        await retry.WaitAsync(Patience);
        Assert.Equal(SectorState.PreCommit1, (await Pipeline.GetAsync(sector.Number, None))!.State); // waiting to retry, not failed
        Assert.Equal(1, worker.Count(TaskType.PreCommit1));

        _time.Advance(FirstRetry);
        await WaitForStateAsync(sector.Number, SectorState.Proving);
        Assert.Equal(2, worker.Count(TaskType.PreCommit1));

        // ErrUnknown is not temporary: the sector fails in the stage that failed, with the worker's message
        worker.Errors[TaskType.PreCommit2] = new([new CallError(CallError.ErrUnknown, "pc2: bad tree")]);
        var doomed = await Pipeline.PledgeAsync(None);
        var failed = await WaitForStateAsync(doomed.Number, SectorState.Failed);
        Assert.Equal(SectorState.PreCommit2, failed.FailedIn);
        Assert.Contains("pc2: bad tree", failed.Error, StringComparison.Ordinal);
        Assert.Empty(await _miner.Miner.Works.ListAsync(None));
        Assert.Empty(worker.ReturnErrors);
    }

    [Fact]
    public async Task A_worker_lost_mid_task_has_its_call_given_up_the_work_goes_to_another_and_its_late_result_is_accepted()
    {
        var shared = new StorageId(Guid.NewGuid().ToString()); // both workers mount the same sealing storage
        var lost = await WorkerAsync("lost", shared);
        lost.Held[TaskType.Commit2] = 0;
        var sector = await Pipeline.PledgeAsync(None);
        var c2 = await NextCallAsync(lost, TaskType.Commit2);
        var other = await WorkerAsync("other", shared);

        _time.Rearm(FirstRetry);
        var retry = _time.TimerCreated(FirstRetry);
        lost.Fail = true;
        _time.Advance(WorkerRegistryOptions.DefaultHeartbeatInterval); // the heartbeat finds it down: lost, its C2 fails with 101
        await retry.WaitAsync(Patience);
        Assert.Null(_miner.Miner.Workers.Find(lost.Session));
        Assert.Equal(SectorState.Committing, (await Pipeline.GetAsync(sector.Number, None))!.State);

        _time.Advance(FirstRetry);
        var record = await WaitForStateAsync(sector.Number, SectorState.Proving);
        Assert.Equal(ScriptedWorker.Proof, record.PoRepProof);
        Assert.Equal([TaskType.Commit1, TaskType.Commit2, TaskType.Finalize], Drain(other).Select(c => c.Task).Where(t => t != TaskType.Fetch));

        // the lost worker finishes anyway and returns: accepted (a lotus-worker retries a Return* until it succeeds), nothing changes
        await lost.ReturnAsync(c2);
        Assert.Equal(SectorState.Proving, (await Pipeline.GetAsync(sector.Number, None))!.State);
        Assert.Empty(await _miner.Miner.Works.ListAsync(None));
        Assert.Empty(_miner.Miner.Calls.Pending);
    }

    /// <summary>
    /// Moves the clock one epoch each time the chain waits for the next (its head poll), so the devnet chain's head
    /// reaches the seed epoch, PreCommitChallengeDelay after the pre-commit, with no wall-clock wait; the clock moves
    /// for nothing else.
    /// </summary>
    private async Task PumpChainAsync(CancellationToken ct)
    {
        while (true)
        {
            await _time.TimerCreated(ChainEpoch).WaitAsync(ct);
            _time.Rearm(ChainEpoch);
            _time.Advance(ChainEpoch);
        }
    }

    private async Task<ScriptedWorker> WorkerAsync(string name, StorageId? path = null)
    {
        var worker = new ScriptedWorker(name, path ?? new StorageId(Guid.NewGuid().ToString())) { Miner = _miner.Client() };
        await worker.AttachStorageAsync(None);
        await _miner.AttachAsync(name, worker);
        return worker;
    }

    private static async Task<WorkerCall> NextCallAsync(ScriptedWorker worker, TaskType task)
    {
        while (true)
        {
            var call = await worker.Calls.Reader.ReadAsync().AsTask().WaitAsync(Patience);
            if (call.Task == task)
            {
                return call;
            }
        }
    }

    private static List<WorkerCall> Drain(ScriptedWorker worker)
    {
        var calls = new List<WorkerCall>();
        while (worker.Calls.Reader.TryRead(out var call))
        {
            calls.Add(call);
        }

        return calls;
    }

    /// <summary>The sector's record once it reaches <paramref name="state"/> (waits on the pipeline's Changed event).</summary>
    private async Task<SectorRecord> WaitForStateAsync(ulong number, SectorState state)
    {
        var reached = new TaskCompletionSource<SectorRecord>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChanged(SectorRecord r)
        {
            if (r.Number == number && r.State == state)
            {
                reached.TrySetResult(r);
            }
        }

        Pipeline.Changed += OnChanged;
        try
        {
            if (await Pipeline.GetAsync(number, None) is { } now && now.State == state)
            {
                return now;
            }

            return await reached.Task.WaitAsync(Patience);
        }
        finally
        {
            Pipeline.Changed -= OnChanged;
        }
    }
}
