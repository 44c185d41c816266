using Kiln.Api.Chain;
using Kiln.Api.JsonRpc;
using Kiln.Api.Types;
using Kiln.Miner.Chain;
using Kiln.Miner.Chain.Devnet;
using Kiln.Proofs;
using Kiln.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Kiln.Miner.Tests.Chain;

public sealed class DevnetNodeTests : IDisposable
{
    private static readonly Cid SealedCid = Cid.Parse(BenchSector.CommR);
    private static readonly TimeSpan Epoch = TimeSpan.FromMilliseconds(100);
    private static readonly CancellationToken None = CancellationToken.None;

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UnixEpoch);
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-devnet-node-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Deadlines_are_60_epoch_windows_48_to_a_period()
    {
        var d = DeadlineInfo.At(2880 + 125);
        Assert.Equal((2880L, 2, 2880L + 120, 2880L + 180, 2880L + 100), (d.PeriodStart, d.Index, d.Open, d.Close, d.Challenge));
        Assert.Equal(3, d.Next().Index);
        Assert.Equal(0, DeadlineInfo.At(2879).Next().Index);
    }

    [Fact]
    public void With_a_period_offset_the_period_starts_at_the_epoch_quantized_down_to_the_offset()
    {
        var d = DeadlineInfo.At(1000, periodOffset: 500);
        Assert.Equal((500L, 8, 980L, 1040L, 960L, 910L), (d.PeriodStart, d.Index, d.Open, d.Close, d.Challenge, d.FaultCutoff));

        // Before the offset the current period began in negative epochs, as go-state-types QuantizeDown has it.
        var early = DeadlineInfo.At(100, periodOffset: 500);
        Assert.Equal((500L - 2880, 41, 80L, 140L), (early.PeriodStart, early.Index, early.Open, early.Close));

        // An offset of a whole period is no offset.
        Assert.Equal(DeadlineInfo.At(4000), DeadlineInfo.At(4000, periodOffset: 2880));
    }

    [Fact]
    public async Task The_devnet_counts_epochs_on_its_clock_names_each_tipset_and_answers_the_2k_network_params()
    {
        var node = Node();
        var chain = Over(node);
        _time.Advance(TimeSpan.FromSeconds(12.05));

        var head = await node.ChainHeadAsync(None);
        Assert.Equal(120, head.Height);
        Assert.Equal(node.TipSetKey(120), head.Cids);
        Assert.NotEqual(node.TipSetKey(119), head.Cids);
        Assert.Equal(120, await chain.HeadEpochAsync(None));
        var earlier = await node.ChainGetTipSetByHeightAsync(100, head.Cids, None);
        Assert.Equal(100L, earlier.Height);
        Assert.Equal(node.TipSetKey(100), earlier.Cids);
        await Assert.ThrowsAsync<RpcException>(() => node.ChainGetTipSetByHeightAsync(121, head.Cids, None));
        await Assert.ThrowsAsync<RpcException>(() => node.StateNetworkVersionAsync(node.TipSetKey(121), None));
        Assert.Equal(28u, await node.StateNetworkVersionAsync(head.Cids, None));
        var network = await node.StateGetNetworkParamsAsync(None);
        Assert.Equal((10L, 1UL), (network.PreCommitChallengeDelay, network.BlockDelaySecs));
        Assert.Equal(DeadlineInfo.At(120), await node.StateMinerProvingDeadlineAsync("t01000", head.Cids, None));
        await Assert.ThrowsAsync<RpcException>(() => node.StateMinerProvingDeadlineAsync("t01001", head.Cids, None));

        var reached = chain.WaitForEpochAsync(130, None);
        Assert.True(chain.WaitForEpochAsync(100, None).IsCompletedSuccessfully);
        Assert.False(reached.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(1));
        await reached.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Randomness_depends_only_on_the_seed_tag_epoch_and_entropy_and_never_comes_from_the_future()
    {
        var node = Node();
        var other = Node(seed: "another");
        _time.Advance(Epoch * 2000);
        var later = Node(); // another devnet with the same seed, its genesis 2000 epochs later
        _time.Advance(Epoch * 10);
        var entropy = FullNodeChain.IdAddressCbor(1000);

        var ticket = await node.StateGetRandomnessFromTicketsAsync(DomainSeparationTag.SealRandomness, 5, entropy, [], None);
        Assert.Equal(32, ticket.Length);
        Assert.Equal(ticket, await later.StateGetRandomnessFromTicketsAsync(DomainSeparationTag.SealRandomness, 5, entropy, [], None));
        Assert.Equal(ticket, await node.StateGetRandomnessFromTicketsAsync(DomainSeparationTag.SealRandomness, 5, entropy, node.TipSetKey(1000), None));
        Assert.NotEqual(ticket, await node.StateGetRandomnessFromTicketsAsync(DomainSeparationTag.SealRandomness, 6, entropy, [], None));
        Assert.NotEqual(ticket, await node.StateGetRandomnessFromTicketsAsync(DomainSeparationTag.InteractiveSealChallengeSeed, 5, entropy, [], None));
        Assert.NotEqual(ticket, await node.StateGetRandomnessFromTicketsAsync(DomainSeparationTag.SealRandomness, 5, FullNodeChain.IdAddressCbor(1001), [], None));
        Assert.NotEqual(ticket, await node.StateGetRandomnessFromBeaconAsync(DomainSeparationTag.SealRandomness, 5, entropy, [], None));
        Assert.NotEqual(ticket, await other.StateGetRandomnessFromTicketsAsync(DomainSeparationTag.SealRandomness, 5, entropy, [], None));
        // Lotus draws a negative epoch's randomness from genesis; the future is refused.
        Assert.Equal(32, (await later.StateGetRandomnessFromTicketsAsync(DomainSeparationTag.SealRandomness, -890, entropy, [], None)).Length);
        await Assert.ThrowsAsync<RpcException>(() => later.StateGetRandomnessFromBeaconAsync(DomainSeparationTag.InteractiveSealChallengeSeed, 11, entropy, [], None));
        await Assert.ThrowsAsync<RpcException>(() => node.StateGetRandomnessFromBeaconAsync(DomainSeparationTag.InteractiveSealChallengeSeed, 1000, entropy, node.TipSetKey(999), None));

        // The miner's ticket through FullNodeChain: a finality behind the head, the miner's address as entropy.
        var sealTicket = await Over(node).SealTicketAsync(1000, 7, None);
        Assert.Equal(2010 - 900, sealTicket.Epoch);
        Assert.Equal(await node.StateGetRandomnessFromTicketsAsync(DomainSeparationTag.SealRandomness, 2010 - 900, entropy, [], None), sealTicket.Value);
    }

    [Fact]
    public async Task Pre_sealed_sectors_go_to_the_emptiest_deadlines_after_the_next_and_fill_partitions_in_order()
    {
        var node = Node();
        var chain = Over(node);

        // At genesis deadlines 0 (current) and 1 (next) take no sectors; each new sector goes where it adds no partition and the fewest sectors are.
        node.Preseal([1, 2, 3, 4], SealedCid);
        node.Preseal([10, 11, 12], SealedCid, deadline: 7);

        var at = new Dictionary<ulong, SectorPartitionLocation?>();
        foreach (var n in new ulong[] { 1, 2, 3, 4, 10, 11, 12, 99 })
        {
            at[n] = await node.StateSectorPartitionAsync(node.MinerAddress, n, [], None);
        }

        Assert.Equal(new SectorPartitionLocation(2, 0), at[1]);
        Assert.Equal(new SectorPartitionLocation(3, 0), at[2]);
        Assert.Equal(new SectorPartitionLocation(4, 0), at[3]);
        Assert.Equal(new SectorPartitionLocation(5, 0), at[4]);
        Assert.Equal((new SectorPartitionLocation(7, 0), new SectorPartitionLocation(7, 0), new SectorPartitionLocation(7, 1)), (at[10], at[11], at[12]));
        Assert.Null(at[99]);
        var partitions = await node.StateMinerPartitionsAsync("t01000", 7, [], None);
        Assert.Equal([[10UL, 11], [12UL]], partitions.Select(p => p.AllSectors.ToList()));
        Assert.All(partitions, p => Assert.True(p.FaultySectors.IsEmpty && p.LiveSectors.Equals(p.AllSectors) && p.ActiveSectors.Equals(p.AllSectors)));
        Assert.Equal(BitField.FromSet([1, 2, 3, 4, 10, 11, 12]), await node.StateMinerAllocatedAsync(node.MinerAddress, [], None));
        var info = await node.StateSectorGetInfoAsync(node.MinerAddress, 12, [], None);
        Assert.Equal((12UL, SealedCid, 0L, RegisteredSealProof.StackedDrg2KiBV1_1), (info!.SectorNumber, info.SealedCID, info.Activation, info.SealProof));

        // The miner reads the same assignment through FullNodeChain.
        Assert.Equal(new Dictionary<ulong, int> { [1] = 2, [4] = 5, [10] = 7, [12] = 7 }, await chain.SectorDeadlinesAsync(1000, [1, 4, 10, 12, 99], None));
        Assert.Equal([10UL, 11, 12], await chain.DeadlineSectorsAsync(1000, DeadlineInfo.At(7 * 60), [1, 10, 11, 12], None));
        Assert.Throws<ArgumentException>(() => node.Preseal([4], SealedCid));
    }

    [Fact]
    public async Task A_pre_commit_batch_lands_at_the_next_epoch_and_a_prove_commit_after_the_challenge_delay_activates_its_sectors()
    {
        var node = Node();
        _time.Advance(Epoch * 100);
        var balance = await node.StateMinerAvailableBalanceAsync(node.MinerAddress, [], None);
        var deposit = await node.StateMinerPreCommitDepositForPowerAsync(node.MinerAddress, PreCommit(1, 100), [], None);
        Assert.True(deposit > TokenAmount.Zero);

        var signed = await node.MpoolPushMessageAsync(PreCommitMessage(node, PreCommit(1, 100), PreCommit(2, 100)), new MessageSendSpec { MaxFee = new TokenAmount(1_000_000_000_000) }, None);

        Assert.Equal((0UL, signed.Message.Cid()), (signed.Message.Nonce, signed.Cid));
        Assert.True(signed.Message.GasLimit > 0);
        Assert.True(signed.Message.GasFeeCap.Atto * signed.Message.GasLimit <= 1_000_000_000_000, "the fee cap keeps the max fee");
        var waiting = node.StateWaitMsgAsync(signed.Cid, 2, -1, true, None);
        Assert.Null(await node.StateSearchMsgAsync([], signed.Cid, -1, true, None));
        Assert.Null(await node.StateSectorPreCommitInfoAsync(node.MinerAddress, 1, [], None));
        _time.Advance(Epoch);
        Assert.NotNull(await node.StateSearchMsgAsync([], signed.Cid, -1, true, None)); // included at 101 ...
        Assert.False(waiting.IsCompleted); // ... but not yet 2 epochs deep
        _time.Advance(Epoch * 2);
        var landed = await waiting.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal((101L, ExitCodes.Ok), (landed.Height, landed.Receipt.ExitCode));
        Assert.Equal(node.TipSetKey(101), landed.TipSet);
        var pre = await node.StateSectorPreCommitInfoAsync(node.MinerAddress, 2, [], None);
        Assert.Equal((101L, 2UL, SealedCid, 50L, deposit), (pre!.PreCommitEpoch, pre.Info.SectorNumber, pre.Info.SealedCID, pre.Info.SealRandEpoch, pre.PreCommitDeposit));
        Assert.True(await node.StateMinerSectorAllocatedAsync(node.MinerAddress, 1, [], None));
        Assert.Equal(balance - (deposit * 2), await node.StateMinerAvailableBalanceAsync(node.MinerAddress, [], None));

        // At 104 the interactive epoch (101 + 10) has not passed: each sector is refused (ErrForbidden), so the message fails.
        var early = await LandAsync(node, ProveMessage(node, 1, 2));
        Assert.Equal(ExitCodes.ErrIllegalArgument, early.Receipt.ExitCode);
        Assert.NotNull(await node.StateSectorPreCommitInfoAsync(node.MinerAddress, 1, [], None));

        _time.Advance(Epoch * 10);
        var pledge = await node.StateMinerInitialPledgeCollateralAsync(node.MinerAddress, pre.Info, [], None);
        var proven = await LandAsync(node, ProveMessage(node, 1, 2));

        Assert.Equal(ExitCodes.Ok, proven.Receipt.ExitCode);
        Assert.Equal(new BatchReturn(2, []).ToCbor(), proven.Receipt.Return);
        Assert.Null(await node.StateSectorPreCommitInfoAsync(node.MinerAddress, 1, [], None));
        var active = await node.StateSectorGetInfoAsync(node.MinerAddress, 1, [], None);
        Assert.Equal((proven.Height, pre.Info.Expiration, pledge), (active!.Activation, active.Expiration, active.InitialPledge));
        Assert.Equal(balance - (pledge * 2), await node.StateMinerAvailableBalanceAsync(node.MinerAddress, [], None));
        // Activated at 115, in deadline 1: deadlines 1 and 2 are immutable, so the two sectors go to the emptiest others, 0 and 3.
        Assert.Equal(115, proven.Height);
        Assert.Equal(new SectorPartitionLocation(0, 0), await node.StateSectorPartitionAsync(node.MinerAddress, 1, [], None));
        Assert.Equal(new SectorPartitionLocation(3, 0), await node.StateSectorPartitionAsync(node.MinerAddress, 2, [], None));
        Assert.Equal([1UL], (await node.StateMinerPartitionsAsync("t01000", 0, [], None)).Single().AllSectors);
        Assert.Equal(3UL, (await node.MpoolPushMessageAsync(PreCommitMessage(node, PreCommit(3, 100)), null, None)).Message.Nonce);
    }

    [Fact]
    public async Task A_prove_commit_with_an_aggregate_proof_and_one_failing_sector_returns_the_failure_in_its_batch_return()
    {
        var node = Node();
        _time.Advance(Epoch * 100);
        Assert.Equal(ExitCodes.Ok, (await LandAsync(node, PreCommitMessage(node, PreCommit(1, 100), PreCommit(2, 100)))).Receipt.ExitCode);
        _time.Advance(Epoch * 8);
        Assert.Equal(ExitCodes.Ok, (await LandAsync(node, PreCommitMessage(node, PreCommit(3, 100)))).Receipt.ExitCode); // pre-committed at 110
        _time.Advance(Epoch * 3); // 113: past 101 + 10, not past 110 + 10

        var aggregate = ProveMessage(node, 1, 2, 3) with
        {
            Params = new ProveCommitSectors3Params
            {
                SectorActivations = [.. new ulong[] { 1, 2, 3 }.Select(n => new SectorActivationManifest(n, []))],
                AggregateProof = new byte[400],
                AggregateProofType = 1,
            }.ToCbor(),
        };
        var lookup = await LandAsync(node, aggregate);

        Assert.Equal(ExitCodes.Ok, lookup.Receipt.ExitCode);
        var batch = BatchReturn.FromCbor(lookup.Receipt.Return);
        Assert.Equal(2UL, batch.SuccessCount);
        Assert.Equal([(2UL, ExitCodes.ErrForbidden)], batch.FailCodes); // sector 3, third in the batch: too early
        Assert.NotNull(await node.StateSectorGetInfoAsync(node.MinerAddress, 2, [], None));
        Assert.Null(await node.StateSectorGetInfoAsync(node.MinerAddress, 3, [], None));
        Assert.NotNull(await node.StateSectorPreCommitInfoAsync(node.MinerAddress, 3, [], None));
    }

    [Fact]
    public async Task Refused_messages_carry_the_miner_actors_exit_codes_and_change_nothing()
    {
        var node = Node();
        _time.Advance(Epoch * 5000);
        Assert.Equal(ExitCodes.Ok, (await LandAsync(node, PreCommitMessage(node, PreCommit(1, 5000)))).Receipt.ExitCode);
        var allocated = await node.StateMinerAllocatedAsync(node.MinerAddress, [], None);

        async Task<long> ExitOf(ChainMessage message) => (await LandAsync(node, message)).Receipt.ExitCode;

        Assert.Equal(ExitCodes.ErrIllegalArgument, await ExitOf(PreCommitMessage(node, PreCommit(1, 5000)))); // already allocated
        Assert.Equal(ExitCodes.ErrIllegalArgument, await ExitOf(PreCommitMessage(node, PreCommit(5, 5000), PreCommit(5, 5000)))); // twice in the batch
        Assert.Equal(ExitCodes.ErrIllegalArgument, await ExitOf(PreCommitMessage(node, PreCommit(6, 5000) with { SealRandEpoch = 5000 - 3781 }))); // randomness too old
        Assert.Equal(ExitCodes.ErrIllegalArgument, await ExitOf(PreCommitMessage(node, PreCommit(6, 5000) with { SealRandEpoch = 6000 }))); // randomness from the future
        Assert.Equal(ExitCodes.ErrIllegalArgument, await ExitOf(PreCommitMessage(node, PreCommit(6, 5000) with { Expiration = 5100 }))); // expires too soon
        Assert.Equal(ExitCodes.ErrIllegalArgument, await ExitOf(PreCommitMessage(node, PreCommit(6, 5000) with { SealProof = RegisteredSealProof.StackedDrg32GiBV1_1 })));
        Assert.Equal(ExitCodes.ErrIllegalArgument, await ExitOf(PreCommitMessage(node, PreCommit(6, 5000) with { SealedCID = Cid.Parse("baga6ea4seaqpy7usqklokfx2vxuynmupslkeutzexe2uqurdg5vhtebhxqmpqmy") })));
        Assert.Equal(ExitCodes.ErrNotFound, await ExitOf(ProveMessage(node, 1, 7))); // 7 was never pre-committed
        Assert.Equal(ExitCodes.ErrIllegalArgument, await ExitOf(ProveMessage(node, 1) with { Params = new ProveCommitSectors3Params { SectorActivations = [new SectorActivationManifest(1, [])] }.ToCbor() })); // no proof
        Assert.Equal(ActorPolicy.ErrSerialization, await ExitOf(PreCommitMessage(node, PreCommit(6, 5000)) with { Params = [0x82, 0x01] }));
        Assert.Equal(ActorPolicy.ErrUnhandledMessage, await ExitOf(PreCommitMessage(node, PreCommit(6, 5000)) with { Method = 99 }));

        Assert.Equal(allocated, await node.StateMinerAllocatedAsync(node.MinerAddress, [], None));
        await Assert.ThrowsAsync<RpcException>(() => node.MpoolPushMessageAsync(PreCommitMessage(node, PreCommit(6, 5000)) with { From = Address.FromId(555, 't') }, null, None));
    }

    [Fact]
    public async Task A_miner_short_of_funds_is_refused_with_ErrInsufficientFunds()
    {
        var node = Node(minerBalance: new TokenAmount(1));
        _time.Advance(Epoch * 100);

        var lookup = await LandAsync(node, PreCommitMessage(node, PreCommit(1, 100)));

        Assert.Equal(ExitCodes.ErrInsufficientFunds, lookup.Receipt.ExitCode);
        Assert.Null(await node.StateSectorPreCommitInfoAsync(node.MinerAddress, 1, [], None));
        // The same batch with the deposit sent as the message's value lands.
        var deposit = await node.StateMinerPreCommitDepositForPowerAsync(node.MinerAddress, PreCommit(1, 100), [], None);
        Assert.Equal(ExitCodes.Ok, (await LandAsync(node, PreCommitMessage(node, PreCommit(1, 100)) with { Value = deposit })).Receipt.ExitCode);
    }

    [Fact]
    public async Task A_restarted_node_finds_its_genesis_messages_pre_commits_and_sectors_in_its_state_file()
    {
        var path = Path.Combine(_dir, DevnetNode.StateFileName);
        var first = Node(statePath: path);
        first.Preseal([100], SealedCid, deadline: 9);
        _time.Advance(Epoch * 100);
        var precommit = await LandAsync(first, PreCommitMessage(first, PreCommit(1, 100)));
        _time.Advance(Epoch * 50);

        var second = Node(statePath: path);

        Assert.Equal((first.Genesis, 151L), (second.Genesis, second.CurrentEpoch));
        var found = await second.StateSearchMsgAsync([], precommit.Message, -1, true, None);
        Assert.Equal((precommit.Message, 101L, ExitCodes.Ok), (found!.Message, found.Height, found.Receipt.ExitCode));
        Assert.Equal(101, (await second.StateSectorPreCommitInfoAsync(second.MinerAddress, 1, [], None))!.PreCommitEpoch);
        Assert.Equal(new SectorPartitionLocation(9, 0), await second.StateSectorPartitionAsync(second.MinerAddress, 100, [], None));
        var proven = await LandAsync(second, ProveMessage(second, 1));
        Assert.Equal((ExitCodes.Ok, 1UL), (proven.Receipt.ExitCode, (await second.MpoolPushMessageAsync(PreCommitMessage(second, PreCommit(2, 152)), null, None)).Message.Nonce - 1));
        Assert.NotNull(await Node(statePath: path).StateSectorGetInfoAsync(second.MinerAddress, 1, [], None));
        await File.WriteAllTextAsync(path, "{ not json");
        Assert.Throws<InvalidDataException>(() => Node(statePath: path));
    }

    [Fact]
    public async Task The_node_says_at_start_that_it_verifies_no_snark_and_logs_each_refused_message_with_its_exit_code_and_reason()
    {
        var log = new ListLogger<DevnetNode>();
        var node = new DevnetNode(new DevnetNodeOptions { EpochDuration = Epoch }, _time, log);

        var started = Assert.Single(log.Entries, e => e.Id.Name == "DevnetChainStarted");
        Assert.Contains("in-process chain (state memory", started.Message, StringComparison.Ordinal);
        Assert.Contains("It verifies no SNARK", started.Message, StringComparison.Ordinal);

        _time.Advance(Epoch * 100);
        var lookup = await LandAsync(node, PreCommitMessage(node, PreCommit(1, 100) with { SealRandEpoch = 101 }));

        var failed = Assert.Single(log.Entries, e => e.Id.Name == "DevnetMessageFailed");
        Assert.Equal(
            $"devnet chain: message {lookup.Message} (method 28) failed at epoch 101: exit code 16: sector 1: seal challenge epoch 101 must be before now 101",
            failed.Message);
    }

    [Fact]
    public void Without_a_full_node_the_factory_builds_the_devnet_chain_in_the_repo()
    {
        var (chain, devnet) = ChainFactory.Create(new MinerOptions(), _dir, _time, NullLoggerFactory.Instance);

        var fullNode = Assert.IsType<FullNodeChain>(chain);
        Assert.Equal(DevnetNode.Endpoint, fullNode.Endpoint);
        Assert.NotNull(devnet);
        Assert.Equal(ProvingOptionsEpoch, fullNode.PollInterval);
        Assert.True(File.Exists(Path.Combine(_dir, DevnetNode.StateFileName)));
    }

    [Fact]
    public async Task A_window_PoSt_with_a_skipped_sector_lands_proves_its_partitions_faults_the_skip_and_is_persisted()
    {
        var path = Path.Combine(_dir, DevnetNode.StateFileName);
        var node = Node(statePath: path);
        node.Preseal([1, 2, 3, 4], SealedCid, deadline: 7);
        // Deadline 7 is open over epochs 420..479; its challenge is 400. Lotus wdpost_run.go commits to the open epoch.
        _time.Advance(Epoch * 421);
        var rand = await node.StateGetRandomnessFromTicketsAsync(DomainSeparationTag.PoStChainCommit, 420, [], [], None);

        var lookup = await LandAsync(node, PoStMessage(node, new SubmitWindowedPoStParams(
            7, [new PoStPartition(0, BitField.Empty), new PoStPartition(1, BitField.FromSet([4]))], [WindowProof], 420, rand)));

        Assert.Equal(ExitCodes.Ok, lookup.Receipt.ExitCode);
        Assert.Equal([(7, 0, 422L), (7, 1, 422L)], node.ProvenPartitions);
        var partitions = await node.StateMinerPartitionsAsync(node.MinerAddress.ToString(), 7, [], None);
        Assert.True(partitions[0].FaultySectors.IsEmpty);
        Assert.Equal([4UL], partitions[1].FaultySectors.ToList());
        Assert.Equal([3UL], partitions[1].ActiveSectors.ToList());
        Assert.Equal([3UL, 4], partitions[1].LiveSectors.ToList());

        var restarted = Node(statePath: path);
        Assert.Equal([4UL], (await restarted.StateMinerPartitionsAsync(node.MinerAddress.ToString(), 7, [], None))[1].FaultySectors.ToList());
        Assert.Equal(2, restarted.ProvenPartitions.Count);
    }

    [Fact]
    public async Task Faults_and_recoveries_change_the_partition_and_the_next_PoSt_heals_the_recovered_sector()
    {
        var node = Node();
        node.Preseal([1, 2], SealedCid, deadline: 10);
        _time.Advance(Epoch * 5);
        var miner = node.MinerAddress.ToString();

        // Deadline 10 opens at 600; declarations for it are in time before its fault cutoff, 530.
        Assert.Equal(ExitCodes.Ok, (await LandAsync(node, FaultsMessage(node, new FaultDeclaration(10, 0, BitField.FromSet([1]))))).Receipt.ExitCode);
        Assert.Equal([1UL], (await node.StateMinerPartitionsAsync(miner, 10, [], None))[0].FaultySectors.ToList());

        // {1, 2} declared recovered: 2 is not faulty and is ignored, as the actor does.
        Assert.Equal(ExitCodes.Ok, (await LandAsync(node, RecoveriesMessage(node, new RecoveryDeclaration(10, 0, BitField.FromSet([1, 2]))))).Receipt.ExitCode);
        var partition = (await node.StateMinerPartitionsAsync(miner, 10, [], None))[0];
        Assert.Equal([1UL], partition.FaultySectors.ToList());
        Assert.Equal([1UL], partition.RecoveringSectors.ToList());
        Assert.Equal([2UL], partition.ActiveSectors.ToList());

        // A fault declared again retracts the recovery; recovered again, the PoSt at deadline 10 heals it.
        await LandAsync(node, FaultsMessage(node, new FaultDeclaration(10, 0, BitField.FromSet([1]))));
        Assert.True((await node.StateMinerPartitionsAsync(miner, 10, [], None))[0].RecoveringSectors.IsEmpty);
        await LandAsync(node, RecoveriesMessage(node, new RecoveryDeclaration(10, 0, BitField.FromSet([1]))));

        _time.Advance(Epoch * (601 - node.CurrentEpoch));
        var rand = await node.StateGetRandomnessFromTicketsAsync(DomainSeparationTag.PoStChainCommit, 600, [], [], None);
        var post = await LandAsync(node, PoStMessage(node, new SubmitWindowedPoStParams(10, [new PoStPartition(0, BitField.Empty)], [WindowProof], 600, rand)));
        Assert.Equal(ExitCodes.Ok, post.Receipt.ExitCode);
        partition = (await node.StateMinerPartitionsAsync(miner, 10, [], None))[0];
        Assert.True(partition.FaultySectors.IsEmpty && partition.RecoveringSectors.IsEmpty);
        Assert.Equal([1UL, 2], partition.ActiveSectors.ToList());
    }

    [Fact]
    public async Task Bad_proving_messages_are_refused_with_the_miner_actor_s_exit_codes_and_change_nothing()
    {
        var node = Node();
        node.Preseal([1, 2], SealedCid, deadline: 7);
        node.Preseal([5, 6], SealedCid, deadline: 8);
        node.Preseal([10, 11], SealedCid, deadline: 20);
        _time.Advance(Epoch * 421);
        var rand = await node.StateGetRandomnessFromTicketsAsync(DomainSeparationTag.PoStChainCommit, 420, [], [], None);
        var good = new SubmitWindowedPoStParams(7, [new PoStPartition(0, BitField.Empty)], [WindowProof], 420, rand);

        async Task<(long, string?)> Refusal(ChainMessage message)
        {
            var lookup = await LandAsync(node, message);
            return (lookup.Receipt.ExitCode, node.ProvenPartitions.Count == 0 ? "unchanged" : "proven");
        }

        Assert.Equal((ExitCodes.ErrIllegalArgument, "unchanged"), await Refusal(PoStMessage(node, good with { Deadline = 48 })));
        Assert.Equal((ExitCodes.ErrIllegalArgument, "unchanged"), await Refusal(PoStMessage(node, good with { Deadline = 8 }))); // not the current deadline
        Assert.Equal((ExitCodes.ErrNotFound, "unchanged"), await Refusal(PoStMessage(node, good with { Partitions = [new PoStPartition(3, BitField.Empty)] })));
        Assert.Equal((ExitCodes.ErrIllegalArgument, "unchanged"), await Refusal(PoStMessage(node, good with { Partitions = [new PoStPartition(0, BitField.FromSet([5]))] })));
        Assert.Equal((ExitCodes.ErrIllegalArgument, "unchanged"), await Refusal(PoStMessage(node, good with { Proofs = [WindowProof with { ProofType = RegisteredPoStProof.StackedDrgWindow32GiBV1_1 }] })));
        Assert.Equal((ExitCodes.ErrIllegalArgument, "unchanged"), await Refusal(PoStMessage(node, good with { Proofs = [] })));
        Assert.Equal((ExitCodes.ErrIllegalArgument, "unchanged"), await Refusal(PoStMessage(node, good with { ChainCommitEpoch = 399 }))); // before the challenge
        Assert.Equal((ExitCodes.ErrIllegalArgument, "unchanged"), await Refusal(PoStMessage(node, good with { ChainCommitEpoch = 421 }))); // other randomness
        Assert.Equal((ExitCodes.ErrIllegalArgument, "unchanged"), await Refusal(PoStMessage(node, good with { ChainCommitRand = rand[..31] })));
        Assert.Equal((ExitCodes.ErrIllegalArgument, "unchanged"), await Refusal(FaultsMessage(node, new FaultDeclaration(8, 0, BitField.FromSet([5]))))); // past its cutoff
        Assert.Equal((ExitCodes.ErrIllegalArgument, "unchanged"), await Refusal(FaultsMessage(node, new FaultDeclaration(20, 0, BitField.FromSet([5])))));
        Assert.Equal((ExitCodes.ErrNotFound, "unchanged"), await Refusal(RecoveriesMessage(node, new RecoveryDeclaration(20, 1, BitField.FromSet([10])))));
        Assert.Equal((ActorPolicy.ErrSerialization, "unchanged"), await Refusal(PoStMessage(node, good) with { Params = [0x85, 0x07] }));
        Assert.All(await node.StateMinerPartitionsAsync(node.MinerAddress.ToString(), 20, [], None), p => Assert.True(p.FaultySectors.IsEmpty));

        Assert.Equal((ExitCodes.Ok, "proven"), await Refusal(PoStMessage(node, good)));
    }

    private static readonly PoStProof WindowProof = new(RegisteredPoStProof.StackedDrgWindow2KiBV1_1, new byte[192]);

    private static ChainMessage PoStMessage(DevnetNode node, SubmitWindowedPoStParams p) => new()
    {
        To = node.MinerAddress,
        From = node.WorkerAddress,
        Method = MinerMethods.SubmitWindowedPoSt,
        Params = p.ToCbor(),
    };

    private static ChainMessage FaultsMessage(DevnetNode node, params FaultDeclaration[] faults) => new()
    {
        To = node.MinerAddress,
        From = node.WorkerAddress,
        Method = MinerMethods.DeclareFaults,
        Params = new DeclareFaultsParams(faults).ToCbor(),
    };

    private static ChainMessage RecoveriesMessage(DevnetNode node, params RecoveryDeclaration[] recoveries) => new()
    {
        To = node.MinerAddress,
        From = node.WorkerAddress,
        Method = MinerMethods.DeclareFaultsRecovered,
        Params = new DeclareFaultsRecoveredParams(recoveries).ToCbor(),
    };

    private static TimeSpan ProvingOptionsEpoch => Kiln.Miner.Proving.ProvingOptions.DefaultEpochDuration;

    private DevnetNode Node(string seed = DevnetNodeOptions.DefaultSeed, TokenAmount? minerBalance = null, string? statePath = null) =>
        new(
            new DevnetNodeOptions { Seed = seed, EpochDuration = Epoch, MinerBalance = minerBalance ?? DevnetNodeOptions.DefaultMinerBalance, StatePath = statePath },
            _time,
            NullLogger<DevnetNode>.Instance);

    private FullNodeChain Over(DevnetNode node) => ChainFactory.OverDevnet(node, 't', _time, NullLoggerFactory.Instance);

    /// <summary>A CC pre-commit at <paramref name="now"/>: randomness 50 epochs back, the shortest lifetime plus a day.</summary>
    private static SectorPreCommitInfo PreCommit(ulong number, long now) => new()
    {
        SealProof = RegisteredSealProof.StackedDrg2KiBV1_1,
        SectorNumber = number,
        SealedCID = SealedCid,
        SealRandEpoch = now - 50,
        DealIDs = [],
        Expiration = now + ActorPolicy.MinSectorExpiration + ActorPolicy.EpochsInDay,
    };

    private static ChainMessage PreCommitMessage(DevnetNode node, params SectorPreCommitInfo[] sectors) => new()
    {
        To = node.MinerAddress,
        From = node.WorkerAddress,
        Method = MinerMethods.PreCommitSectorBatch2,
        Params = new PreCommitSectorBatchParams2(sectors).ToCbor(),
    };

    private static ChainMessage ProveMessage(DevnetNode node, params ulong[] numbers) => new()
    {
        To = node.MinerAddress,
        From = node.WorkerAddress,
        Method = MinerMethods.ProveCommitSectors3,
        Params = new ProveCommitSectors3Params
        {
            SectorActivations = [.. numbers.Select(n => new SectorActivationManifest(n, []))],
            SectorProofs = [.. numbers.Select(_ => new byte[192])],
        }.ToCbor(),
    };

    /// <summary>Pushes the message, lets one epoch pass and waits for it with no confidence.</summary>
    private async Task<MsgLookup> LandAsync(DevnetNode node, ChainMessage message)
    {
        var signed = await node.MpoolPushMessageAsync(message, null, None);
        var waiting = node.StateWaitMsgAsync(signed.Cid, 0, -1, true, None);
        _time.Advance(Epoch);
        return await waiting.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
