using System.Numerics;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Kiln.Api.Chain;
using Kiln.Api.Types;
using Kiln.Miner.Mining;
using Kiln.Miner.Proving;
using Kiln.Miner.Tests.Proving;
using Kiln.Proofs.PoSt;
using Kiln.Proofs.Sdr;
using Kiln.Testing.Chain;

namespace Kiln.Miner.Tests.Mining;

/// <summary>
/// The mining loop against the Lotus stand-in (Lotus miner/miner.go mineOne): a winner's block carries the ticket,
/// election proof, beacon entries and Winning PoSt the test computes itself from the node's beacon and deterministic
/// wallet; a loser makes no Winning PoSt and no block; a node that goes down fails one round and the next is fine.
/// </summary>
public sealed class MiningLoopTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <summary>go-address MarshalCBOR of t01000: a 3-byte string of protocol 0 and LEB128 1000.</summary>
    private static readonly byte[] MinerCbor = [0x43, 0x00, 0xe8, 0x07];

    private MiningFixture _f = null!;

    public async Task InitializeAsync() => _f = await MiningFixture.StartAsync();

    public async Task DisposeAsync() => await _f.DisposeAsync();

    [Fact]
    public async Task A_winner_creates_and_submits_a_block_with_the_right_ticket_election_beacon_and_winning_post_within_the_epoch()
    {
        _f.Node.MinerPower = 1;
        _f.Node.NetworkPower = 1; // λ = 5
        var head = await _f.Chain.HeadAsync(CancellationToken.None);
        var round = head.Height + 1;

        var result = await _f.Loop.MineOneAsync(head, 0, CancellationToken.None);

        Assert.True(result.Outcome == MiningRoundOutcome.Won, result.Error ?? result.Outcome.ToString());
        var block = Assert.Single(_f.Node.SubmittedBlocks);
        Assert.Equal(round, block.Height);
        Assert.Equal(_f.Node.Miner, block.Miner);
        Assert.Equal(head.Cids.Select(c => c.ToString()), block.Parents);
        Assert.Equal(block.Cid, result.Block?.ToString()); // the miner's CID of the header is the node's

        // The beacon entry of the round is the randomness base of every draw.
        var beacon = LotusNodeStandIn.DefaultBeacon(round);
        Assert.Equal([(beacon.Round, beacon.Data)], block.BeaconEntries.Select(e => (e.Round, e.Data)));
        var key = AddressText.ToBytes(_f.Node.WorkerKey);

        // Ticket: the worker's VRF over TicketProduction (1) at round − 1, entropy = miner CBOR ‖ the base's min ticket.
        var minTicket = MinTicket(head);
        var ticketInput = LotusNodeStandIn.DrawFromBase(beacon.Data, 1, round - 1, [.. MinerCbor, .. minTicket]);
        Assert.Equal(LotusNodeStandIn.Sign(key, [], ticketInput), block.Ticket);

        // Election: the worker's VRF over ElectionProofProduction (2) at the round; its win count as Lotus counts it.
        var electionInput = LotusNodeStandIn.DrawFromBase(beacon.Data, 2, round, MinerCbor);
        var vrf = LotusNodeStandIn.Sign(key, [], electionInput);
        Assert.Equal(vrf, block.ElectionVrf);
        Assert.Equal(ElectionProof.ComputeWinCount(vrf, 1, 1), block.WinCount);
        Assert.True(block.WinCount >= 1);

        // Winning PoSt: WinningPoStChallengeSeed (3) at the round; verifies with the miner's prover.
        var seed = LotusNodeStandIn.DrawFromBase(beacon.Data, 3, round, MinerCbor);
        var proof = Assert.Single(block.WinPoStProofs);
        Assert.Equal((long)Kiln.Proofs.RegisteredPoStProof.StackedDrgWinning2KiBV1, proof.ProofType);
        var challenged = result.WinningPoSt!.Challenged;
        Assert.True(result.WinningPoSt.Local);
        var info = PoStInputs.ProofFor(MiningFixture.Sectors, PoStType.Winning);
        var replicas = challenged.Select(n => PoStInputs.Replica(info, MiningFixture.Sectors.Single(s => s.Number == n))).ToList();
        Assert.True(PoStFixture.Prover.VerifyWinningPoSt(PoStRandomness.ToFieldElement(seed), replicas, [new PoStProof(Kiln.Proofs.RegisteredPoStProof.StackedDrgWinning2KiBV1, proof.ProofBytes).ToPoStProofBytes()], ProverId.FromActorId(_f.Node.MinerId)));
        Assert.False(PoStFixture.Prover.VerifyWinningPoSt(PoStRandomness.ToFieldElement(ticketInput), replicas, [new PoStProof(Kiln.Proofs.RegisteredPoStProof.StackedDrgWinning2KiBV1, proof.ProofBytes).ToPoStProofBytes()], ProverId.FromActorId(_f.Node.MinerId)));

        // Within the epoch: the stand-in's block delay is 4 s.
        Assert.InRange(result.Took, TimeSpan.Zero, TimeSpan.FromSeconds(_f.Node.BlockDelaySecs));
        Assert.Contains(result.Steps, s => s.Step == "submit block");

        // The round is a job row with the block's CID; the Winning PoSt its own row.
        var rows = await _f.Jobs.ListAsync(50, CancellationToken.None);
        var row = Assert.Single(rows, r => TaskTypes.Id(r.Task) == MiningLoop.RoundTaskId);
        Assert.Equal((ulong)round, row.Sector.Number);
        Assert.Equal(Kiln.Miner.Jobs.JobOutcome.Succeeded, row.Outcome);
        Assert.Contains(block.Cid, row.Error, StringComparison.Ordinal);
        Assert.Single(rows, r => r.Task == TaskType.GenerateWinningPoSt);
    }

    [Fact]
    public async Task The_block_carries_the_messages_mpool_select_gave_for_the_tickets_quality()
    {
        _f.Node.MinerPower = 1;
        _f.Node.NetworkPower = 1;
        const string MessageCid = "bafy2bzacebbpdegvr3i4cosewthysg5xkxpqfn2wfcz6mv2hmoktwbdxkax4s";
        _f.Node.PendingMessages =
        [
            (JsonObject)JsonNode.Parse(
                """{"Message":{"Version":0,"To":"t01234","From":"t01234","Nonce":42,"Value":"0","GasLimit":9,"GasFeeCap":"0","GasPremium":"0","Method":1,"Params":"Ynl0ZSBhcnJheQ==","CID":{"/":"CIDTEXT"}},"Signature":{"Type":1,"Data":"Ynl0ZSBhcnJheQ=="},"CID":{"/":"CIDTEXT"}}"""
                    .Replace("CIDTEXT", MessageCid, StringComparison.Ordinal))!,
        ];
        var head = await _f.Chain.HeadAsync(CancellationToken.None);

        var result = await _f.Loop.MineOneAsync(head, 0, CancellationToken.None);

        Assert.True(result.Outcome == MiningRoundOutcome.Won, result.Error);
        var block = Assert.Single(_f.Node.SubmittedBlocks);
        Assert.Equal([MessageCid], block.SecpkMessages);
        Assert.Empty(block.BlsMessages);
        var select = Assert.Single(_f.Node.Calls, c => c.Method == "Filecoin.MpoolSelect");
        Assert.Equal(head.Cids.Select(c => c.ToString()), select.Params[0].EnumerateArray().Select(c => c.GetProperty("/").GetString()));
        var digest = new BigInteger(Blake2bHash.Hash(block.Ticket, 32), isUnsigned: true, isBigEndian: true);
        Assert.Equal(1 - ((double)digest / Math.Pow(2, 256)), select.Params[1].GetDouble(), 12);
    }

    [Fact]
    public async Task A_second_block_at_a_height_the_miner_already_mined_is_not_submitted()
    {
        _f.Node.MinerPower = 1;
        _f.Node.NetworkPower = 1;
        var head = await _f.Chain.HeadAsync(CancellationToken.None);
        Assert.Equal(MiningRoundOutcome.Won, (await _f.Loop.MineOneAsync(head, 0, CancellationToken.None)).Outcome);

        var again = await _f.Loop.MineOneAsync(head, 0, CancellationToken.None);

        Assert.Equal(MiningRoundOutcome.Failed, again.Outcome);
        Assert.Contains($"at height {head.Height + 1}, where this miner already created one", again.Error, StringComparison.Ordinal);
        Assert.Single(_f.Node.SubmittedBlocks);
    }

    [Fact]
    public async Task Not_a_winner_computes_no_winning_post_and_submits_no_block()
    {
        _f.Node.MinerPower = 1;
        _f.Node.NetworkPower = BigInteger.Pow(10, 30);
        var head = await _f.Chain.HeadAsync(CancellationToken.None);

        var result = await _f.Loop.MineOneAsync(head, 0, CancellationToken.None);

        Assert.Equal(MiningRoundOutcome.Lost, result.Outcome);
        Assert.Equal(0, result.WinCount);
        Assert.Null(result.Block);
        Assert.Null(result.WinningPoSt);
        Assert.Empty(_f.Node.SubmittedBlocks);
        Assert.DoesNotContain(_f.Node.Calls, c => c.Method is "Filecoin.MinerCreateBlock" or "Filecoin.SyncSubmitBlock" or "Filecoin.MpoolSelect");
        var rows = await _f.Jobs.ListAsync(50, CancellationToken.None);
        Assert.DoesNotContain(rows, r => r.Task == TaskType.GenerateWinningPoSt);
        var row = Assert.Single(rows);
        Assert.Equal(Kiln.Miner.Jobs.JobOutcome.Succeeded, row.Outcome);
        Assert.Contains("not a winner", row.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_base_info_or_not_eligible_is_no_election()
    {
        _f.Node.NoBaseInfo = true;
        var head = await _f.Chain.HeadAsync(CancellationToken.None);
        Assert.Equal(MiningRoundOutcome.NotEligible, (await _f.Loop.MineOneAsync(head, 0, CancellationToken.None)).Outcome);
        _f.Node.NoBaseInfo = false;
        _f.Node.EligibleForMining = false;
        Assert.Equal(MiningRoundOutcome.NotEligible, (await _f.Loop.MineOneAsync(head, 0, CancellationToken.None)).Outcome);
        Assert.DoesNotContain(_f.Node.Calls, c => c.Method == "Filecoin.WalletSign");
    }

    [Fact]
    public async Task The_node_going_down_mid_round_fails_that_round_and_the_next_round_submits_its_block()
    {
        _f.Node.MinerPower = 1;
        _f.Node.NetworkPower = 1;
        var head = await _f.Chain.HeadAsync(CancellationToken.None);
        _f.Node.MiningHang = true;
        var hung = _f.Loop.MineOneAsync(head, 0, CancellationToken.None);
        await _f.Node.MiningHeld.WaitAsync(Patience);
        await _f.Node.SetDownAsync(true);

        var failed = await hung.WaitAsync(Patience);

        Assert.Equal(MiningRoundOutcome.Failed, failed.Outcome);
        Assert.Contains("MinerGetBaseInfo", failed.Error, StringComparison.Ordinal);
        Assert.Empty(_f.Node.SubmittedBlocks);

        _f.Node.MiningHang = false;
        await _f.Node.SetDownAsync(false);
        await _f.Node.MineAsync();
        var next = await _f.Loop.MineOneAsync(await _f.Chain.HeadAsync(CancellationToken.None), 0, CancellationToken.None);

        Assert.True(next.Outcome == MiningRoundOutcome.Won, next.Error);
        Assert.Equal(head.Height + 2, Assert.Single(_f.Node.SubmittedBlocks).Height);
        var rows = (await _f.Jobs.ListAsync(50, CancellationToken.None)).Where(r => TaskTypes.Id(r.Task) == MiningLoop.RoundTaskId).OrderBy(r => r.Sector.Number).ToList();
        Assert.Equal([Kiln.Miner.Jobs.JobOutcome.Failed, Kiln.Miner.Jobs.JobOutcome.Succeeded], rows.Select(r => r.Outcome));
        Assert.Equal([(ulong)head.Height + 1, (ulong)head.Height + 2], rows.Select(r => r.Sector.Number));
    }

    [Fact]
    public async Task The_loop_mines_each_new_head_once()
    {
        _f.Node.MinerPower = 1;
        _f.Node.NetworkPower = 1;
        var rounds = Channel.CreateUnbounded<MiningRound>();
        _f.Loop.RoundCompleted += r => rounds.Writer.TryWrite(r);
        using var stop = new CancellationTokenSource();
        var run = _f.Loop.RunAsync(TimeSpan.FromMilliseconds(20), stop.Token);
        var first = await rounds.Reader.ReadAsync().AsTask().WaitAsync(Patience);
        for (var i = 0; i < 3; i++)
        {
            await _f.Node.MineAsync();
            var r = await rounds.Reader.ReadAsync().AsTask().WaitAsync(Patience);
            Assert.Equal(first.Round + i + 1, r.Round);
            Assert.Equal(0, r.NullRounds);
        }

        await stop.CancelAsync();
        await run.WaitAsync(Patience);
        Assert.False(rounds.Reader.TryRead(out var extra), $"an extra round {extra?.Round}");
        var won = _f.Loop.Rounds.Where(r => r.Outcome == MiningRoundOutcome.Won).Select(r => r.Round).ToList();
        Assert.Equal(won, _f.Node.SubmittedBlocks.Select(b => b.Height));
        Assert.NotEmpty(won);
    }

    /// <summary>The head's min ticket as Lotus picks it: the block whose ticket VRF has the smallest BLAKE2b-256.</summary>
    private static byte[] MinTicket(Kiln.Miner.Chain.TipSet head) =>
        head.Blocks.Select(b => b.GetProperty("Ticket").GetProperty("VRFProof").GetBytesFromBase64())
            .OrderBy(v => Convert.ToHexString(Blake2bHash.Hash(v, 32)), StringComparer.Ordinal).First();
}
