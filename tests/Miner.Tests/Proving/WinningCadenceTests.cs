using System.Threading.Channels;
using Kiln.Api.Types;
using Kiln.Miner.Chain;
using Kiln.Miner.Jobs;
using Kiln.Miner.Proving;
using Kiln.Miner.Tests.Chain;
using Kiln.Miner.Workers;
using Kiln.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Kiln.Miner.Tests.Proving;

/// <summary>
/// Regression ("Winning PoSt waits behind Window PoSt"): the proving loop once awaited the whole Window
/// PoSt of a deadline before the Winning round, so a window partition that stalls (a worker that keeps answering
/// Session but never finishes GenerateWindowPoSt) cost every Winning round until the partition timed out.
/// </summary>
public sealed class WinningCadenceTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-cadence-").FullName;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UnixEpoch);
    private PoStHistory _deadlines = null!;
    private JobTracker _jobs = null!;

    public async Task InitializeAsync()
    {
        _deadlines = await PoStHistory.OpenAsync(Path.Combine(_dir, "deadlines.sqlite"), _time, CancellationToken.None);
        _jobs = await JobTracker.OpenAsync(new JobTrackerOptions { DatabasePath = Path.Combine(_dir, "jobs.sqlite") }, _time, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _deadlines.DisposeAsync();
        await _jobs.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Winning_rounds_keep_their_cadence_while_a_window_partition_stalls_and_the_stalled_proof_ends_at_the_deadline_close()
    {
        var stalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var window = new FakeWorker { Hostname = "wdpost-stuck", Tasks = [TaskType.GenerateWindowPoSt] };
        window.WindowPoSt = async (proof, miner, sectors, index, rand, ct) =>
        {
            // Session keeps answering (FakeWorker.Session), but the partition never finishes on its own.
            stalled.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            finally
            {
                released.TrySetResult();
            }

            throw new InvalidOperationException("unreachable");
        };
        var winner = new FakeWorker { Hostname = "wnpost", Tasks = [TaskType.GenerateWinningPoSt] };
        winner.WinningPoSt = (proof, miner, sectors, rand, ct) => Task.FromResult(PoStFixture.Winning(proof, miner, sectors, rand));

        var chain = new StepChain();
        var options = new ProvingOptions { WinningEvery = 10, SubmitWindowPoSt = false };
        var loop = Loop(chain, options, PoStFixture.Scheduler(WorkerKind.WindowPoSt, window), PoStFixture.Scheduler(WorkerKind.WinningPoSt, winner), [PoStFixture.Sector(48), PoStFixture.Sector(49)]);
        var rounds = Channel.CreateUnbounded<long>();
        var records = Channel.CreateUnbounded<DeadlineRecord>();
        loop.WinningRoundCompleted += e => rounds.Writer.TryWrite(e);
        loop.DeadlineRecorded += r => records.Writer.TryWrite(r);

        using var stop = new CancellationTokenSource();
        var run = loop.RunAsync(stop.Token);

        // Deadline 0 (open at epoch 0) holds sector 48; its only partition stalls on the window worker.
        await Within(stalled.Task, "the window partition to start");
        Assert.Equal(0, await Within(rounds.Reader.ReadAsync().AsTask(), "the winning round at epoch 0"));

        // Five winning rounds, one per 10 epochs, each while the window partition is still stuck.
        for (long epoch = 10; epoch <= 50; epoch += 10)
        {
            chain.SetHead(epoch);
            Assert.Equal(epoch, await Within(rounds.Reader.ReadAsync().AsTask(), $"the winning round at epoch {epoch}"));
            Assert.False(released.Task.IsCompleted);
            Assert.Equal(epoch, loop.LastWinning!.Value.Epoch);
            Assert.NotNull(loop.LastWinning!.Value.Outcome);
        }

        Assert.False(records.Reader.TryRead(out _));

        // The deadline closes at epoch 60: its proof can no longer be submitted, so it is aborted and recorded Failed.
        chain.SetHead(60);
        var record = await Within(records.Reader.ReadAsync().AsTask(), "the aborted deadline's record");
        await Within(released.Task, "the stalled partition's cancellation");
        Assert.Equal((0, 0L, 1, "Failed"), (record.Index, record.OpenEpoch, record.Sectors, record.Outcome));
        Assert.Contains("deadline 0 closed at epoch 60", record.Error, StringComparison.Ordinal);
        Assert.Equal(60, await Within(rounds.Reader.ReadAsync().AsTask(), "the winning round at epoch 60"));
        Assert.Equal(record, Assert.Single(await _deadlines.ListDeadlinesAsync(CancellationToken.None)));

        await stop.CancelAsync();
        await Within(run, "the loops to stop");
    }

    private static async Task Within(Task task, string what)
    {
        try
        {
            await task.WaitAsync(Patience);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"waited {Patience} for {what}");
        }
    }

    private static async Task<T> Within<T>(Task<T> task, string what)
    {
        await Within((Task)task, what);
        return await task;
    }

    private ProvingLoop Loop(IChain chain, ProvingOptions options, PoStScheduler window, PoStScheduler winning, IReadOnlyList<ProvingSector> sectors)
    {
        var vanillas = new PoStFixture.NoVanillas();
        return new ProvingLoop(
            chain,
            _ => Task.FromResult(sectors),
            new WindowPoStProver(window, PoStFixture.Prover, vanillas, options, _time, NullLogger<WindowPoStProver>.Instance, _jobs),
            new WinningPoStProver(winning, PoStFixture.Prover, vanillas, options, NullLogger<WinningPoStProver>.Instance, _jobs),
            _deadlines,
            options,
            PoStFixture.Miner,
            _time,
            NullLogger<ProvingLoop>.Instance);
    }
}
