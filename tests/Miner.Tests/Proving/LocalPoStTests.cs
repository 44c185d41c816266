using Kiln.Api.Types;
using Kiln.Miner.Proving;
using Kiln.Miner.Workers;
using Kiln.Proofs.PoSt;
using Kiln.Stores.PoSt;
using Kiln.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Miner.Tests.Proving;

/// <summary>Built-in proving (no PoSt worker) of a real 2 KiB sector from its vanilla proofs, and Winning PoSt.</summary>
public sealed class LocalPoStTests(SealedSectorFixture sealedSector) : IClassFixture<SealedSectorFixture>
{
    [Fact]
    public async Task Without_a_window_worker_the_miner_proves_from_its_own_storage()
    {
        var scheduler = PoStFixture.Scheduler(WorkerKind.WindowPoSt);
        Assert.False(scheduler.CanSchedule);

        var outcome = await PoStFixture.Window(scheduler, vanillas: sealedSector.Vanillas)
            .ProveAsync(PoStFixture.Miner, [sealedSector.Sector], PoStFixture.Randomness(0xfe), CancellationToken.None);

        Assert.True(outcome.Local);
        Assert.Equal([1UL], outcome.Proven);
        Assert.Equal(Kiln.Proofs.RegisteredPoStProof.StackedDrgWindow2KiBV1_1, outcome.Proof.ProofType);
        Assert.Equal(192, outcome.Proof.ProofBytes!.Length);
    }

    [Fact]
    public async Task A_sector_missing_from_storage_is_skipped_by_the_local_prover()
    {
        var scheduler = PoStFixture.Scheduler(WorkerKind.WindowPoSt);
        var missing = sealedSector.Sector with { Number = 2 };

        var outcome = await PoStFixture.Window(scheduler, vanillas: sealedSector.Vanillas)
            .ProveAsync(PoStFixture.Miner, [sealedSector.Sector, missing], PoStFixture.Randomness(1), CancellationToken.None);

        Assert.Equal([2UL], outcome.Skipped);
        Assert.Equal([1UL], outcome.Proven);
    }

    [Fact]
    public async Task Without_a_winning_worker_the_miner_proves_winning_post_itself()
    {
        var outcome = await PoStFixture.Winning(PoStFixture.Scheduler(WorkerKind.WinningPoSt), sealedSector.Vanillas)
            .ProveAsync(PoStFixture.Miner, [sealedSector.Sector], PoStFixture.Randomness(0x42), CancellationToken.None);

        Assert.True(outcome.Local);
        Assert.Equal([1UL], outcome.Challenged);
        Assert.Equal(Kiln.Proofs.RegisteredPoStProof.StackedDrgWinning2KiBV1, Assert.Single(outcome.Proofs).ProofType);
    }

    [Fact]
    public async Task A_ready_winning_worker_proves_with_the_miners_challenges()
    {
        IReadOnlyList<PostSectorChallenge>? seen = null;
        var w = new FakeWorker { Hostname = "winner", Tasks = [TaskType.GenerateWinningPoSt] };
        w.WinningPoSt = (proof, miner, sectors, rand, ct) =>
        {
            seen = sectors;
            return Task.FromResult(PoStFixture.Winning(proof, miner, sectors, rand));
        };
        var sectorsSet = Enumerable.Range(1, 8).Select(n => PoStFixture.Sector((ulong)n)).ToList();
        var rand = PoStFixture.Randomness(0xff);

        var outcome = await PoStFixture.Winning(PoStFixture.Scheduler(WorkerKind.WinningPoSt, w)).ProveAsync(PoStFixture.Miner, sectorsSet, rand, CancellationToken.None);

        Assert.False(outcome.Local);
        var challenged = Assert.Single(seen!);
        Assert.Equal(challenged.SectorNumber, Assert.Single(outcome.Challenged));
        Assert.Equal(PoStProofInfo.WinningChallengeCount, challenged.Challenge!.Count);
        rand[31] &= 0x3f;
        var index = PoStChallenges.GenerateWinningPoStSectorChallenge(Kiln.Proofs.RegisteredPoStProof.StackedDrgWinning2KiBV1, rand, 8, Kiln.Proofs.Sdr.ProverId.FromActorId(PoStFixture.Miner));
        Assert.Equal((ulong)index[0] + 1, challenged.SectorNumber);
    }

    [Fact]
    public async Task An_unreachable_winning_worker_passes_the_round_to_the_next_one()
    {
        var calls = new List<string>();
        FakeWorker Worker(string host, bool reachable)
        {
            var w = new FakeWorker { Hostname = host, Tasks = [TaskType.GenerateWinningPoSt] };
            w.WinningPoSt = (proof, miner, sectors, rand, ct) =>
            {
                lock (calls)
                {
                    calls.Add(host);
                }

                return reachable ? Task.FromResult(PoStFixture.Winning(proof, miner, sectors, rand)) : throw new HttpRequestException("connection refused");
            };
            return w;
        }

        var sectorsSet = Enumerable.Range(1, 4).Select(n => PoStFixture.Sector((ulong)n)).ToList();
        var down = Worker("down", reachable: false);
        var up = Worker("up", reachable: true);
        var outcome = await PoStFixture.Winning(PoStFixture.Scheduler(WorkerKind.WinningPoSt, down, up)).ProveAsync(PoStFixture.Miner, sectorsSet, PoStFixture.Randomness(3), CancellationToken.None);
        Assert.False(outcome.Local);
        Assert.Equal("up", calls[^1]);
        Assert.True(calls.Count(c => c == "up") == 1 && calls.Count(c => c == "down") <= 1);

        // With every ready worker unreachable the round fails instead of looping.
        calls.Clear();
        var e = await Assert.ThrowsAnyAsync<Exception>(() => PoStFixture.Winning(PoStFixture.Scheduler(WorkerKind.WinningPoSt, Worker("a", false), Worker("b", false)))
            .ProveAsync(PoStFixture.Miner, sectorsSet, PoStFixture.Randomness(3), CancellationToken.None));
        Assert.Equal(2, calls.Count);
        Assert.Contains("every ready winning PoSt worker failed", e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Worker RPC clients have no timeout (go-jsonrpc's have none), so GenerateWinningPoSt is bounded by
    /// Proving.WinningPoStTimeout: a worker past it is cancelled and the round goes to the next ready one.
    /// </summary>
    [Fact]
    public async Task A_winning_worker_past_the_winning_post_timeout_is_cancelled_and_the_round_moves_on()
    {
        var calls = new List<string>();
        var cancelled = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        FakeWorker Worker(string host)
        {
            var w = new FakeWorker { Hostname = host, Tasks = [TaskType.GenerateWinningPoSt] };
            w.WinningPoSt = async (proof, miner, sectors, rand, ct) =>
            {
                int n;
                lock (calls)
                {
                    calls.Add(host);
                    n = calls.Count;
                }

                if (n == 1)
                {
                    // the first worker asked never answers on its own; it sees its call cancelled
                    try
                    {
                        await Task.Delay(Timeout.Infinite, ct);
                    }
                    catch (OperationCanceledException) when (ct.IsCancellationRequested)
                    {
                        cancelled.TrySetResult(host);
                        throw;
                    }
                }

                return PoStFixture.Winning(proof, miner, sectors, rand);
            };
            return w;
        }

        var options = new ProvingOptions { WinningPoStTimeout = TimeSpan.FromMilliseconds(300) };
        var scheduler = PoStFixture.Scheduler(WorkerKind.WinningPoSt, Worker("a"), Worker("b"));
        var prover = new WinningPoStProver(scheduler, PoStFixture.Prover, new NoLocalVanillas(), options, NullLogger<WinningPoStProver>.Instance, null, TimeProvider.System);
        var sectorsSet = Enumerable.Range(1, 4).Select(n => PoStFixture.Sector((ulong)n)).ToList();

        var outcome = await prover.ProveAsync(PoStFixture.Miner, sectorsSet, PoStFixture.Randomness(5), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.False(outcome.Local);
        Assert.Equal(2, calls.Count);
        Assert.NotEqual(calls[0], calls[1]);
        Assert.Equal(calls[0], await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Throws<InvalidOperationException>(() => new ProvingOptions { WinningPoStTimeout = TimeSpan.Zero }.Validate());
    }

    private sealed class NoLocalVanillas : IVanillaSource
    {
        public Task<byte[]> ReadAsync(ulong minerId, Kiln.Proofs.RegisteredPoStProof proofType, PostSectorChallenge sector, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("this test proves on workers only");
    }

    [Fact]
    public async Task A_busy_or_absent_winning_worker_is_an_immediate_error_when_the_builtin_prover_is_off()
    {
        var scheduler = PoStFixture.Scheduler(WorkerKind.WinningPoSt);
        var busy = new FakeWorker { Hostname = "busy", Tasks = [TaskType.GenerateWinningPoSt] };
        scheduler.AddWorker(PoStFixture.Handle(busy));
        var release = new TaskCompletionSource<int>();
        var holding = scheduler.ScheduleAsync(primary: true, (_, _) => release.Task, CancellationToken.None);

        var e = await Assert.ThrowsAsync<PoStException>(() => scheduler.ScheduleAsync(primary: false, (_, _) => Task.FromResult(1), CancellationToken.None));
        Assert.Equal("can't find post/v0/winningproof post worker", e.Message);
        release.SetResult(1);
        await holding;
        Assert.Equal(1, await scheduler.ScheduleAsync(primary: false, (_, _) => Task.FromResult(1), CancellationToken.None));
    }
}
