using System.Numerics;
using System.Threading.Channels;
using Kiln.Api.Chain;
using Kiln.Api.Types;
using Kiln.Miner.Chain;
using Kiln.Miner.Sealing;
using Kiln.Testing.Chain;

namespace Kiln.Cluster.Tests;

/// <summary>
/// kiln-miner seals on a chain it reaches through a Lotus full node's JSON-RPC (the stand-in node of
/// <see cref="LotusNodeStandIn"/>, which decodes every message with its own CBOR decoder), as Lotus's sealing pipeline
/// does (storage/pipeline/states_sealing.go getTicket, handleSubmitPreCommitBatch, handlePreCommitWait,
/// handleWaitSeed, handleSubmitCommitAggregate, handleCommitWait; precommit_batch.go and commit_batch.go; the
/// recovery of states_failed.go): tickets and seeds from the node, batched PreCommitSectorBatch2 and
/// ProveCommitSectors3 from the worker address, receipts waited for, Proving only once the chain holds the sector
/// active; a failed receipt, a reorganisation, a node down for a minute, funds too low and garbage answers.
/// </summary>
public sealed class ChainSealingClusterTests : IAsyncLifetime
{
    private static readonly TimeSpan Block = TimeSpan.FromMilliseconds(100);
    private readonly ClusterFixture _cluster = new();
    private readonly Channel<SectorRecord> _changes = Channel.CreateUnbounded<SectorRecord>();
    private LotusNodeStandIn _node = null!;

    public async Task InitializeAsync()
    {
        _node = await LotusNodeStandIn.StartAsync(startHeight: 1000, network: 't');
        _node.StartMining(Block);
        var options = _cluster.MinerOptions;
        options.Proving.FullNodeApiInfo = _node.ApiInfo;
        options.Proving.ChainPollInterval = TimeSpan.FromMilliseconds(50);
        options.Sealing.MaxPreCommitBatch = 2;
        options.Sealing.MaxCommitBatch = 2;
        options.Sealing.PreCommitBatchWait = TimeSpan.FromSeconds(2);
        options.Sealing.CommitBatchWait = TimeSpan.FromSeconds(2);
        options.Sealing.MinRetryTime = TimeSpan.FromMilliseconds(300);
        await _cluster.StartMinerAsync();
        _cluster.Miner.Pipeline.Changed += r => _changes.Writer.TryWrite(r);
        await _cluster.StartWorkerAsync();
        await ClusterFixture.WorkersAsync(_cluster.Miner.Workers, ws => ws.Count == 1, "the worker registers");
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _node.DisposeAsync();
    }

    [Fact]
    public async Task Two_sectors_seal_through_one_precommit_and_one_commit_message_that_decode_as_go_state_types_defines()
    {
        var sectors = await SealAsync(2);

        var entropy = Address.FromId(1000).ToCbor();
        var batch = Assert.Single(_node.PreCommitBatches);
        Assert.Equal(_node.Miner, batch.To);
        Assert.Equal(_node.WorkerKey, batch.From); // the worker address from StateMinerInfo, resolved to its key
        Assert.Equal(2, batch.Sectors.Count);
        Assert.Equal(2 * _node.PreCommitDepositPerSector, batch.Value); // the deposits from StateMinerPreCommitDepositForPower
        Assert.Equal(2 * BigInteger.Parse("20000000000000000", System.Globalization.CultureInfo.InvariantCulture), batch.MaxFee); // [Fees] MaxPreCommitBatchGasFee: 0.02 FIL per sector
        foreach (var s in sectors)
        {
            var pc = Assert.Single(batch.Sectors, p => p.SectorNumber == s.Number);
            Assert.Equal(5, pc.SealProof); // StackedDrg2KiBV1_1
            Assert.Equal(s.Cids!.Value.Sealed.ToString(), pc.SealedCidText); // the comm_r Kiln sealed with that ticket
            Assert.Equal(s.Cids!.Value.Sealed.ToSealedCommitment().ToArray(), pc.CommR);
            Assert.Equal(s.TicketEpoch, pc.SealRandEpoch);
            Assert.Empty(pc.DealIds);
            Assert.Null(pc.UnsealedCid); // CC: no UnsealedCid, as Lotus
            Assert.Equal(s.Expiration, pc.Expiration);

            // The ticket is the node's SealRandomness at head − 900 with the miner's address as entropy.
            var tickets = _node.Draws.Where(d => !d.FromBeacon && d.Epoch == s.TicketEpoch && d.Tag == (long)DomainSeparationTag.SealRandomness).ToList();
            Assert.NotEmpty(tickets);
            Assert.All(tickets, t => Assert.Equal(entropy, t.Entropy));
            Assert.All(tickets, t => Assert.Equal(t.Randomness, s.Ticket));

            // The seed: InteractiveSealChallengeSeed at the landed pre-commit's epoch + PreCommitChallengeDelay.
            var landed = _node.PreCommitOf(s.Number);
            Assert.Null(landed); // proven: no longer a pre-commit
            Assert.Equal(s.PreCommitEpoch + _node.PreCommitChallengeDelay, s.SeedEpoch);
            var seed = _node.Draws.Last(d => d.FromBeacon && d.Epoch == s.SeedEpoch && d.Tag == (long)DomainSeparationTag.InteractiveSealChallengeSeed);
            Assert.Equal(seed.Randomness, s.Seed);

            // Active on chain, where the chain put it.
            var active = _node.SectorOf(s.Number);
            Assert.NotNull(active);
            Assert.Equal(active.Value.Activation, s.ActivationEpoch);
            Assert.Equal(new TokenAmount(_node.InitialPledgePerSector), s.InitialPledge); // StateSectorGetInfo's InitialPledge
            Assert.Equal((int)active.Value.Deadline, s.Deadline);
            Assert.Equal((int)active.Value.Partition, s.Partition);
            Assert.Equal(ExitCodes.Ok, s.PreCommitExitCode);
            Assert.Equal(ExitCodes.Ok, s.CommitExitCode);
            Assert.Equal(batch.MessageCid, s.PreCommitMessage.ToString());
        }

        var commit = Assert.Single(_node.ProveCommits);
        Assert.Equal(_node.WorkerKey, commit.From);
        Assert.Equal(2 * _node.InitialPledgePerSector, commit.Value);
        Assert.Empty(commit.AggregateProof); // no aggregator bound: one proof per sector
        Assert.Null(commit.AggregateProofType);
        Assert.False(commit.RequireActivationSuccess);
        Assert.False(commit.RequireNotificationSuccess);
        var verifier = new Kiln.Proofs.Snark.InsecureTestProver();
        for (var i = 0; i < commit.Activations.Count; i++)
        {
            var s = Assert.Single(sectors, x => x.Number == commit.Activations[i].SectorNumber);
            Assert.Empty(commit.Activations[i].Pieces);
            Assert.Equal(s.PoRepProof, commit.SectorProofs[i]); // the C2 output for that seed
            Assert.True(verifier.VerifySeal(
                s.Proof,
                s.Cids!.Value.Sealed.ToSealedCommitment(),
                s.Cids!.Value.Unsealed.ToUnsealedCommitment(),
                Kiln.Proofs.Sdr.ProverId.FromActorId(1000),
                s.Ticket,
                s.Seed,
                s.Number,
                commit.SectorProofs[i]));
            Assert.Equal(commit.MessageCid, s.CommitMessage.ToString());
        }
    }

    [Fact]
    public async Task A_failed_precommit_receipt_is_PreCommitFailed_with_its_code_and_the_precommit_is_sent_again()
    {
        _node.FailNext(MinerMethods.PreCommitSectorBatch2, ExitCodes.ErrIllegalArgument);
        var sectors = await SealAsync(2);

        var failed = await SeenAsync(r => r.State == SectorState.PreCommitFailed);
        Assert.Contains("ErrIllegalArgument(16)", failed.Error, StringComparison.Ordinal);
        Assert.Contains("sector precommit failed", failed.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.ErrIllegalArgument, failed.PreCommitExitCode);
        Assert.Equal(2, _node.PreCommitBatches.Count); // the failed one, then the one that landed
        Assert.Equal(ExitCodes.ErrIllegalArgument, _node.ReceiptOf(_node.PreCommitBatches.First().MessageCid)!.Value.ExitCode);
        Assert.All(sectors, s => Assert.Equal(_node.PreCommitBatches.Last().MessageCid, s.PreCommitMessage.ToString()));
        Assert.All(sectors, s => Assert.Equal(ExitCodes.Ok, s.PreCommitExitCode));
    }

    [Fact]
    public async Task A_precommit_reorganised_away_while_waiting_for_the_seed_is_noticed_and_the_seed_follows_its_new_epoch()
    {
        await _cluster.Miner.Pipeline.PledgeAsync(CancellationToken.None);
        await _cluster.Miner.Pipeline.PledgeAsync(CancellationToken.None);
        var waiting = await SeenAsync(r => r.State == SectorState.WaitSeed && r.PreCommitMessage is not null);
        var message = waiting.PreCommitMessage!.Value.ToString();
        var firstEpoch = _node.PreCommitOf(waiting.Number)!.Value.PreCommitEpoch;
        _node.Reorg(message, reinclude: true); // the message leaves the chain and lands again in a later tipset

        var sectors = await IdleAsync();
        var resumed = Assert.Single(sectors, s => s.Number == waiting.Number);
        Assert.True(resumed.PreCommitEpoch > firstEpoch, $"pre-commit epoch {resumed.PreCommitEpoch} after the reorganisation, {firstEpoch} before");
        Assert.Equal(resumed.PreCommitEpoch + _node.PreCommitChallengeDelay, resumed.SeedEpoch);
        Assert.Equal(_node.Draws.Last(d => d.FromBeacon && d.Epoch == resumed.SeedEpoch).Randomness, resumed.Seed);
        Assert.Single(_node.PreCommitBatches); // waited for the same message again, not sent twice
    }

    [Fact]
    public async Task A_full_node_down_for_a_minute_loses_nothing_and_no_step_is_skipped_or_sent_twice()
    {
        await _cluster.Miner.Pipeline.PledgeAsync(CancellationToken.None);
        await _cluster.Miner.Pipeline.PledgeAsync(CancellationToken.None);
        await SeenAsync(r => r.State == SectorState.WaitSeed);
        await _node.SetDownAsync(true);
        await Task.Delay(TimeSpan.FromMinutes(1)); // the outage itself: the chain moves on without the miner
        var during = await _cluster.Miner.Pipeline.ListAsync(CancellationToken.None);
        Assert.All(during, s => Assert.NotEqual(SectorState.Failed, s.State));
        await _node.SetDownAsync(false);

        // Each sector went on chain in exactly one pre-commit and one prove-commit message (the batches may have split
        // as the sectors came out of the outage at different times): nothing was sent twice.
        var sectors = await IdleAsync();
        Assert.All(sectors, s => Assert.Single(_node.PreCommitBatches, b => b.Sectors.Any(p => p.SectorNumber == s.Number)));
        Assert.All(sectors, s => Assert.Single(_node.ProveCommits, c => c.Activations.Any(a => a.SectorNumber == s.Number)));
        Assert.Equal(sectors.Count, _node.PreCommitBatches.Sum(b => b.Sectors.Count));
        Assert.Equal(sectors.Count, _node.ProveCommits.Sum(c => c.Activations.Count));
        Assert.All(sectors, s => Assert.NotNull(_node.SectorOf(s.Number)));
    }

    [Fact]
    public async Task Funds_too_low_fail_the_precommit_naming_the_address_and_the_amounts_and_it_goes_through_once_funded()
    {
        _node.SetWalletBalance(_node.WorkerKey, BigInteger.Zero);
        await _cluster.Miner.Pipeline.PledgeAsync(CancellationToken.None);
        await _cluster.Miner.Pipeline.PledgeAsync(CancellationToken.None);

        var failed = await SeenAsync(r => r.State == SectorState.PreCommitFailed);
        Assert.Contains("not enough funds to send PreCommitSectorBatch2 of 2 sectors", failed.Error, StringComparison.Ordinal);
        Assert.Contains("t01002 has 0 FIL", failed.Error, StringComparison.Ordinal);
        Assert.Contains("value 0.002 FIL + max fee 0.04 FIL", failed.Error, StringComparison.Ordinal);
        Assert.Empty(_node.Pushed);

        _node.SetWalletBalance(_node.WorkerKey, BigInteger.Parse("100000000000000000000", System.Globalization.CultureInfo.InvariantCulture));
        var sectors = await IdleAsync();
        Assert.Single(_node.PreCommitBatches);
        Assert.All(sectors, s => Assert.NotNull(_node.SectorOf(s.Number)));
    }

    [Fact]
    public async Task A_node_answering_garbage_is_a_clear_error_and_the_sector_waits_in_its_state()
    {
        _node.Garbage("Filecoin.StateSectorPreCommitInfo", GarbageKind.MalformedJson);
        await _cluster.Miner.Pipeline.PledgeAsync(CancellationToken.None);
        await _cluster.Miner.Pipeline.PledgeAsync(CancellationToken.None);

        var stuck = await SeenAsync(r => r.State == SectorState.SubmitPreCommitBatch && r.Error is not null);
        Assert.True(stuck.Error!.Contains("StateSectorPreCommitInfo answered JSON Kiln cannot read", StringComparison.Ordinal), stuck.Error);
        Assert.Empty(_node.Pushed);

        _node.ClearGarbage("Filecoin.StateSectorPreCommitInfo");
        var sectors = await IdleAsync();
        Assert.All(sectors, s => Assert.NotNull(_node.SectorOf(s.Number)));
    }

    [Fact]
    public async Task A_ticket_older_than_MaxPreCommitRandomnessLookback_is_drawn_again_and_PreCommit1_runs_again()
    {
        _cluster.MinerOptions.HoldSectorsAt = SectorState.SubmitPreCommitBatch;
        var sector = await _cluster.Miner.Pipeline.PledgeAsync(CancellationToken.None);
        var held = await SeenAsync(r => r.Number == sector.Number && r.State == SectorState.SubmitPreCommitBatch);
        var firstTicket = held.Ticket!;
        var firstEpoch = held.TicketEpoch!.Value;

        // The chain moves 3,781 epochs past the ticket (Lotus states_sealing.go checkTicketExpired, MaxTicketAge).
        await _node.MineAsync((int)(firstEpoch + ChainPolicy.MaxPreCommitRandomnessLookback + 1 - _node.Height));
        _cluster.MinerOptions.HoldSectorsAt = null;
        await _cluster.Miner.Pipeline.UpdateStateAsync(sector.Number, SectorState.SubmitPreCommitBatch, CancellationToken.None);

        var redrawn = await SeenAsync(r => r.Number == sector.Number && r.State == SectorState.PreCommit1);
        Assert.Contains($"ticket drawn at {firstEpoch} expired", redrawn.Error, StringComparison.Ordinal);
        var sealedAgain = Assert.Single(await IdleAsync());
        // Drawn anew 900 epochs behind a head that is past the old ticket's expiry.
        Assert.True(sealedAgain.TicketEpoch >= firstEpoch + ChainPolicy.MaxPreCommitRandomnessLookback + 1 - ChainPolicy.SealRandomnessLookback, $"new ticket epoch {sealedAgain.TicketEpoch}, old {firstEpoch}");
        Assert.NotEqual(firstTicket, sealedAgain.Ticket);
        var pre = Assert.Single(Assert.Single(_node.PreCommitBatches).Sectors);
        Assert.Equal(sealedAgain.TicketEpoch, pre.SealRandEpoch);
        Assert.NotEqual(held.Cids!.Value.Sealed, sealedAgain.Cids!.Value.Sealed); // sealed again with the new ticket
        Assert.Equal(sealedAgain.Cids!.Value.Sealed.ToString(), pre.SealedCidText);
        var jobs = await _cluster.Miner.Miner.Jobs.ListAsync(100, CancellationToken.None);
        Assert.Equal(2, jobs.Count(j => j.Sector.Number == sector.Number && j.Task == TaskType.PreCommit1));
    }

    [Fact]
    public async Task A_lagging_node_holds_the_sector_in_its_state_until_the_head_moves_again()
    {
        await _cluster.Miner.Pipeline.PledgeAsync(CancellationToken.None);
        await _cluster.Miner.Pipeline.PledgeAsync(CancellationToken.None);
        await SeenAsync(r => r.State == SectorState.WaitSeed);
        _node.Lag = true; // the head stops: the seed epoch is not reached
        var stopped = _node.Height;
        await Task.Delay(TimeSpan.FromSeconds(3));
        var during = await _cluster.Miner.Pipeline.ListAsync(CancellationToken.None);
        Assert.All(during, s => Assert.True(s.State is SectorState.WaitSeed or SectorState.PreCommitBatchWait or SectorState.SubmitPreCommitBatch, $"sector {s.Number}: {s.State} {s.Error}"));
        Assert.Equal(stopped, _node.Height);
        Assert.Empty(_node.ProveCommits);

        _node.Lag = false;
        var sectors = await IdleAsync();
        Assert.All(sectors, s => Assert.True(s.SeedEpoch > 0 && s.SeedEpoch < _node.Height));
    }

    [Fact]
    public async Task Sector_numbers_start_past_every_number_the_chain_has_allocated()
    {
        _node.Allocate(1, 2, 3, 7);
        var first = await _cluster.Miner.Pipeline.PledgeAsync(CancellationToken.None);
        var second = await _cluster.Miner.Pipeline.PledgeAsync(CancellationToken.None);
        Assert.Equal([8UL, 9UL], new[] { first.Number, second.Number });
        await IdleAsync();
        Assert.Equal([8UL, 9UL], _node.PreCommitBatches.Single().Sectors.Select(s => s.SectorNumber).Order());
    }

    private async Task<IReadOnlyList<SectorRecord>> SealAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            await _cluster.Miner.Pipeline.PledgeAsync(CancellationToken.None);
        }

        return await IdleAsync();
    }

    /// <summary>Waits until every sector is Proving (failing with the states and errors of those that are not).</summary>
    private async Task<IReadOnlyList<SectorRecord>> IdleAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await _cluster.Miner.Pipeline.WaitIdleAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
        }

        var sectors = await _cluster.Miner.Pipeline.ListAsync(CancellationToken.None);
        Assert.All(sectors, s => Assert.True(s.State == SectorState.Proving, $"sector {s.Number}: {s.State} {s.Error}"));
        return sectors;
    }

    /// <summary>The first change (since the test began) that matches.</summary>
    private async Task<SectorRecord> SeenAsync(Func<SectorRecord, bool> match)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        while (true)
        {
            var r = await _changes.Reader.ReadAsync(timeout.Token);
            if (match(r))
            {
                return r;
            }
        }
    }
}
