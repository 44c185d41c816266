using System.Threading.Channels;
using Kiln.Api.Types;
using Kiln.Miner.Mining;
using Kiln.Miner.Proving;
using Kiln.Miner.Tests.Proving;
using Kiln.Miner.Workers;
using Kiln.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Miner.Tests.Mining;

/// <summary>
/// "Winning never waits for Window", now with blocks: while a window partition of the open deadline stalls on its
/// worker, the proving loop's mining half still mines every new head and the node receives each won round's block.
/// </summary>
public sealed class MiningCadenceTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-mining-cadence-").FullName;
    private MiningFixture _f = null!;
    private PoStHistory _history = null!;

    public async Task InitializeAsync()
    {
        _f = await MiningFixture.StartAsync();
        _history = await PoStHistory.OpenAsync(Path.Combine(_dir, "deadlines.sqlite"), TimeProvider.System, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _history.DisposeAsync();
        await _f.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Blocks_keep_coming_every_epoch_while_a_window_partition_hangs()
    {
        var stalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var window = new FakeWorker { Hostname = "wdpost-stuck", Tasks = [TaskType.GenerateWindowPoSt] };
        window.WindowPoSt = async (proof, miner, sectors, index, rand, ct) =>
        {
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

        // The head (1000) is in deadline 16 (opens 960, closes 1020); sector 48 sits in its partition 0.
        var deadline = await _f.Chain.ProvingDeadlineAsync(_f.Node.MinerId, CancellationToken.None);
        _f.Node.Activate((ulong)deadline.Index, 0, 48);
        _f.Node.MinerPower = 1;
        _f.Node.NetworkPower = 1;
        var options = new ProvingOptions { SubmitWindowPoSt = false };
        var loop = new ProvingLoop(
            _f.Chain,
            _ => Task.FromResult<IReadOnlyList<ProvingSector>>([PoStFixture.Sector(48), .. MiningFixture.Sectors]),
            PoStFixture.Window(PoStFixture.Scheduler(WorkerKind.WindowPoSt, window), options),
            _f.Prover,
            _history,
            options,
            _f.Node.MinerId,
            TimeProvider.System,
            NullLogger<ProvingLoop>.Instance)
        {
            Mining = _f.Loop,
        };
        var rounds = Channel.CreateUnbounded<MiningRound>();
        _f.Loop.RoundCompleted += r => rounds.Writer.TryWrite(r);
        var winning = Channel.CreateUnbounded<long>();
        loop.WinningRoundCompleted += e => winning.Writer.TryWrite(e);

        using var stop = new CancellationTokenSource();
        var run = loop.RunAsync(stop.Token);
        await stalled.Task.WaitAsync(Patience);
        var first = await rounds.Reader.ReadAsync().AsTask().WaitAsync(Patience);
        if (first.Outcome == MiningRoundOutcome.Won)
        {
            Assert.Equal(first.Round, await winning.Reader.ReadAsync().AsTask().WaitAsync(Patience));
        }

        for (var i = 1; i <= 4; i++)
        {
            await _f.Node.MineAsync();
            var round = await rounds.Reader.ReadAsync().AsTask().WaitAsync(Patience);
            Assert.Equal(first.Round + i, round.Round);
            Assert.False(released.Task.IsCompleted, "the window partition was released");
            if (round.Outcome == MiningRoundOutcome.Won)
            {
                Assert.Equal(round.Round, await winning.Reader.ReadAsync().AsTask().WaitAsync(Patience));
                Assert.Equal(round.Round, loop.LastWinning!.Value.Epoch);
                Assert.Contains(_f.Node.SubmittedBlocks, b => b.Height == round.Round && b.Cid == round.Block.ToString());
            }
        }

        Assert.True(_f.Node.SubmittedBlocks.Count >= 4, $"{_f.Node.SubmittedBlocks.Count} blocks in 5 rounds at λ = 5");
        await stop.CancelAsync();
        await run.WaitAsync(Patience);
        await released.Task.WaitAsync(Patience);
    }
}
