using Kiln.Miner.Chain;
using Kiln.Miner.Chain.Devnet;
using Kiln.Miner.Mining;
using Kiln.Miner.Proving;
using Kiln.Miner.Tests.Proving;
using Kiln.Miner.Workers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Kiln.Miner.Tests.Mining;

/// <summary>The devnet chain serves base info, a beacon and a wallet, and keeps the blocks the mining loop submits.</summary>
public sealed class DevnetMiningTests
{
    private static readonly TimeSpan Epoch = TimeSpan.FromSeconds(1);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UnixEpoch);

    [Fact]
    public async Task The_devnet_produces_blocks_every_round_the_miner_has_power()
    {
        var (devnet, loop) = Start(winRate: 1);
        var rounds = new List<MiningRound>();
        for (var i = 0; i < 6; i++)
        {
            _time.Advance(Epoch);
            var head = await devnet.ChainHeadAsync(CancellationToken.None);
            rounds.Add(await loop.MineOneAsync(head, 0, CancellationToken.None));
        }

        var won = rounds.Where(r => r.Outcome == MiningRoundOutcome.Won).ToList();
        Assert.True(won.Count >= 5, string.Join("; ", rounds.Select(r => $"{r.Round}: {r.Outcome} {r.Error}")));
        Assert.Equal(won.Count, devnet.BlocksSubmitted);
        Assert.Equal(won.Select(r => r.Block!.Value.ToString()), devnet.LastBlockCids);
        Assert.All(won, r => Assert.Equal(r.BaseHeight + 1, r.Round));
        Assert.All(won, r => Assert.Equal((ulong)r.Round, Assert.Single(r.BeaconEntries).Round));
    }

    [Fact]
    public async Task A_devnet_miner_without_power_is_not_eligible_and_a_zero_win_rate_never_wins()
    {
        var (empty, emptyLoop) = Start(winRate: 1, preseal: false);
        _time.Advance(Epoch);
        Assert.Equal(MiningRoundOutcome.NotEligible, (await emptyLoop.MineOneAsync(await empty.ChainHeadAsync(CancellationToken.None), 0, CancellationToken.None)).Outcome);

        var (devnet, loop) = Start(winRate: 0);
        for (var i = 0; i < 3; i++)
        {
            _time.Advance(Epoch);
            Assert.Equal(MiningRoundOutcome.Lost, (await loop.MineOneAsync(await devnet.ChainHeadAsync(CancellationToken.None), 0, CancellationToken.None)).Outcome);
        }

        Assert.Equal(0, devnet.BlocksSubmitted);
    }

    private (DevnetNode Devnet, MiningLoop Loop) Start(double winRate, bool preseal = true)
    {
        var devnet = new DevnetNode(new DevnetNodeOptions { EpochDuration = Epoch, WinRate = winRate }, _time, NullLogger<DevnetNode>.Instance);
        if (preseal)
        {
            devnet.Preseal(MiningFixture.SectorNumbers, PoStFixture.Sector(1).SealedCid);
        }

        var chain = new FullNodeChain(devnet, DevnetNode.Endpoint, 't', Epoch, _time, NullLogger<FullNodeChain>.Instance);
        var scheduler = new PoStScheduler(WorkerKind.WinningPoSt, _time, NullLogger<PoStScheduler>.Instance);
        var prover = new WinningPoStProver(scheduler, PoStFixture.Prover, new MiningFixture.FixtureVanillas(), new ProvingOptions(), NullLogger<WinningPoStProver>.Instance, null, _time);
        return (devnet, new MiningLoop(chain, prover, new MiningOptions(), devnet.MinerAddress.Id, _time, NullLogger<MiningLoop>.Instance));
    }
}
