using System.Text.Json.Nodes;
using Kiln.Api.Chain;
using Kiln.Api.Types;
using Kiln.Miner.Chain;
using Kiln.Miner.Chain.Devnet;
using Kiln.Proofs;
using Kiln.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Kiln.Miner.Tests.Chain;

/// <summary>
/// The devnet's miner actor processes each deadline's end as builtin-actors' cron does: partitions without a Window
/// PoSt in the deadline's window have their live sectors faulted and their recoveries dropped; proven ones keep theirs.
/// </summary>
public sealed class DevnetDeadlineCloseTests : IDisposable
{
    private static readonly Cid SealedCid = Cid.Parse(BenchSector.CommR);
    private static readonly TimeSpan Epoch = TimeSpan.FromMilliseconds(100);
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly PoStProof WindowProof = new(RegisteredPoStProof.StackedDrgWindow2KiBV1_1, new byte[192]);

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UnixEpoch);
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-devnet-close-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_partition_without_a_PoSt_is_faulted_at_the_deadline_close_and_loses_its_recoveries_while_a_proven_one_keeps_its_sectors()
    {
        var node = Node();
        node.Preseal([1, 2, 3, 4], SealedCid, deadline: 7); // two sectors a partition: partition 0 = {1, 2}, 1 = {3, 4}
        _time.Advance(Epoch * 5);
        await LandAsync(node, Message(node, MinerMethods.DeclareFaults, new DeclareFaultsParams([new FaultDeclaration(7, 1, BitField.FromSet([3]))]).ToCbor()));
        await LandAsync(node, Message(node, MinerMethods.DeclareFaultsRecovered, new DeclareFaultsRecoveredParams([new RecoveryDeclaration(7, 1, BitField.FromSet([3]))]).ToCbor()));
        Assert.Equal([3UL], (await Partitions(node, 7))[1].RecoveringSectors.ToList());

        // Deadline 7 is open over 420..479: partition 0 proven in it, partition 1 not.
        await AdvanceToAsync(node, 421);
        var post = await LandAsync(node, await PoStAsync(node, 7, 420, 0));
        Assert.Equal(ExitCodes.Ok, post.Receipt.ExitCode);
        await AdvanceToAsync(node, 479);
        Assert.Empty(node.MissedPartitions);
        Assert.Equal([3UL], (await Partitions(node, 7))[1].FaultySectors.ToList());

        await AdvanceToAsync(node, 480);

        var partitions = await Partitions(node, 7);
        Assert.True(partitions[0].FaultySectors.IsEmpty);
        Assert.Equal([1UL, 2], partitions[0].ActiveSectors.ToList());
        Assert.Equal([3UL, 4], partitions[1].FaultySectors.ToList());
        Assert.True(partitions[1].RecoveringSectors.IsEmpty);
        Assert.True(partitions[1].ActiveSectors.IsEmpty);
        Assert.Equal([(7, 1, 480L)], node.MissedPartitions);
    }

    [Fact]
    public async Task A_PoSt_landing_in_the_deadline_s_last_epoch_counts_and_the_submissions_reset_for_the_next_period()
    {
        var node = Node();
        node.Preseal([1, 2], SealedCid, deadline: 7);
        await AdvanceToAsync(node, 478);
        var post = await LandAsync(node, await PoStAsync(node, 7, 420, 0)); // pushed at 478, included at 479, the last epoch
        Assert.Equal(ExitCodes.Ok, post.Receipt.ExitCode);
        Assert.Equal([(7, 0, 479L)], node.ProvenPartitions);

        await AdvanceToAsync(node, 481);
        Assert.Empty(node.MissedPartitions);
        Assert.True((await Partitions(node, 7))[0].FaultySectors.IsEmpty);

        // The next period's deadline 7 (3300..3359) has no PoSt: the last period's does not count for it.
        var next = 420 + DeadlineInfo.ProvingPeriod;
        await AdvanceToAsync(node, next + DeadlineInfo.ChallengeWindow - 1);
        Assert.True((await Partitions(node, 7))[0].FaultySectors.IsEmpty);
        await AdvanceToAsync(node, next + DeadlineInfo.ChallengeWindow);
        Assert.Equal([1UL, 2], (await Partitions(node, 7))[0].FaultySectors.ToList());
        Assert.Equal([(7, 0, (long)next + DeadlineInfo.ChallengeWindow)], node.MissedPartitions);
    }

    [Fact]
    public async Task Deadlines_that_closed_while_the_node_was_stopped_are_processed_once_when_it_restarts_and_the_result_is_persisted()
    {
        var path = Path.Combine(_dir, DevnetNode.StateFileName);
        var first = Node(path);
        first.Preseal([1, 2], SealedCid, deadline: 3);
        first.Preseal([5, 6], SealedCid, deadline: 9);
        _time.Advance(Epoch * 10);
        Assert.True((await Partitions(first, 3))[0].FaultySectors.IsEmpty);

        // Stopped for three proving periods: both deadlines missed on the way, each recorded once per partition.
        _time.Advance(Epoch * DeadlineInfo.ProvingPeriod * 3);
        var restarted = Node(path);
        Assert.Equal([1UL, 2], (await Partitions(restarted, 3))[0].FaultySectors.ToList());
        Assert.Equal([5UL, 6], (await Partitions(restarted, 9))[0].FaultySectors.ToList());
        Assert.Equal([(3, 0, 240L), (9, 0, 600L)], restarted.MissedPartitions);

        var again = Node(path);
        Assert.Equal(2, again.MissedPartitions.Count);
        Assert.Equal([5UL, 6], (await Partitions(again, 9))[0].FaultySectors.ToList());
    }

    [Fact]
    public async Task A_state_file_written_before_deadlines_were_processed_keeps_its_past_and_processes_the_closes_after_it_is_loaded()
    {
        var path = Path.Combine(_dir, DevnetNode.StateFileName);
        var node = Node(path);
        node.Preseal([1, 2], SealedCid, deadline: 3);
        var json = JsonNode.Parse(await File.ReadAllTextAsync(path))!.AsObject();
        Assert.True(json.Remove("DeadlinesClosedThrough"));
        await File.WriteAllTextAsync(path, json.ToJsonString());

        _time.Advance(Epoch * 300); // deadline 3 (180..239) closed while the file had no record of closes
        var old = Node(path);
        Assert.True((await Partitions(old, 3))[0].FaultySectors.IsEmpty);

        _time.Advance(Epoch * DeadlineInfo.ProvingPeriod);
        Assert.Equal([1UL, 2], (await Partitions(old, 3))[0].FaultySectors.ToList());
    }

    [Fact]
    public async Task With_a_period_offset_a_deadline_closes_at_its_own_close_epoch()
    {
        var node = Node(periodOffset: 100);
        node.Preseal([1, 2], SealedCid, deadline: 0); // the period starts at 100 (and at -2780): deadline 0 is 100..159
        Assert.Equal(100, DeadlineInfo.At(100, 100).Open);

        await AdvanceToAsync(node, 159);
        Assert.True((await Partitions(node, 0))[0].FaultySectors.IsEmpty);
        await AdvanceToAsync(node, 160);
        Assert.Equal([1UL, 2], (await Partitions(node, 0))[0].FaultySectors.ToList());
        Assert.Equal([(0, 0, 160L)], node.MissedPartitions);
    }

    private DevnetNode Node(string? statePath = null, long periodOffset = 0) =>
        new(new DevnetNodeOptions { EpochDuration = Epoch, StatePath = statePath, PeriodOffset = periodOffset }, _time, NullLogger<DevnetNode>.Instance);

    private static Task<IReadOnlyList<Partition>> Partitions(DevnetNode node, ulong deadline) =>
        node.StateMinerPartitionsAsync(node.MinerAddress.ToString(), deadline, [], None);

    private async Task AdvanceToAsync(DevnetNode node, long epoch)
    {
        _time.Advance(Epoch * (epoch - node.CurrentEpoch));
        await node.ChainHeadAsync(None);
    }

    private static async Task<ChainMessage> PoStAsync(DevnetNode node, ulong deadline, long commitEpoch, params ulong[] partitions)
    {
        var rand = await node.StateGetRandomnessFromTicketsAsync(DomainSeparationTag.PoStChainCommit, commitEpoch, [], [], None);
        var p = new SubmitWindowedPoStParams(deadline, [.. partitions.Select(i => new PoStPartition(i, BitField.Empty))], [WindowProof], commitEpoch, rand);
        return Message(node, MinerMethods.SubmitWindowedPoSt, p.ToCbor());
    }

    private static ChainMessage Message(DevnetNode node, ulong method, byte[] cbor) => new()
    {
        To = node.MinerAddress,
        From = node.WorkerAddress,
        Method = method,
        Params = cbor,
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
