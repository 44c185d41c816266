using Kiln.Api.Types;
using Kiln.Miner.Chain;
using Kiln.Miner.Proving;
using Kiln.Proofs;

namespace Kiln.Miner.Tests.Proving;

/// <summary>
/// How a deadline's partitions become SubmitWindowedPoSt messages: Lotus storage/wdpost/wdpost_run.go
/// BatchPartitions with chain/actors/policy GetMaxPoStPartitions (TestWDPostDoPost: 4 full messages and one more
/// partition make 5 messages; TestWDPostDoPostPartLimitConfig: a user limit of 2 over 5 × the network's limit makes 8),
/// and what each batch proves and skips (runPoStCycle, sectorsForProof).
/// </summary>
public sealed class WindowPoStSubmitterTests
{
    private static readonly Cid Sealed = Cid.Parse("bagboea4b5abcaukssco2utgmo6wsg2rpcolapj2dj573bj7ri5s3ye2nhbdh5xdg");

    [Theory]
    [InlineData(2, 0, 3)] // 2 KiB: min(PoStedPartitionsMax 3, 25,000 / 2)
    [InlineData(2349, 0, 3)] // 32 GiB: min(3, 10)
    [InlineData(2349, 2, 2)] // [Proving] MaxPartitionsPerPoStMessage below the network's limit
    [InlineData(2349, 10, 3)] // above it: the network's limit holds
    [InlineData(10_000, 0, 2)] // 25,000 / 10,000
    public void Partitions_per_message_follow_the_policy_and_the_configured_limit(int sectorsPerPartition, int configured, int expected) =>
        Assert.Equal(expected, WindowPoStSubmitter.PartitionsPerMessage(sectorsPerPartition, configured));

    [Fact]
    public void Four_full_messages_and_one_more_partition_make_five_messages_as_in_TestWDPostDoPost()
    {
        var perMessage = WindowPoStSubmitter.PartitionsPerMessage(2, 0);
        var partitions = Enumerable.Range(0, (4 * perMessage) + 1).Select(i => Partition((ulong)(2 * i), (ulong)((2 * i) + 1))).ToList();

        var batches = WindowPoStSubmitter.Batch(partitions, perMessage);

        Assert.Equal(5, batches.Count);
        Assert.All(batches.Take(4), b => Assert.Equal(perMessage, b.Count));
        Assert.Equal([4 * perMessage], batches[4].Select(b => b.Index));
        Assert.Equal(Enumerable.Range(0, partitions.Count), batches.SelectMany(b => b.Select(p => p.Index)));
    }

    [Fact]
    public void A_user_limit_of_two_over_five_times_the_network_limit_makes_eight_messages_as_in_TestWDPostDoPostPartLimitConfig()
    {
        var partitions = Enumerable.Range(0, 5 * WindowPoStSubmitter.PartitionsPerMessage(2, 0)).Select(i => Partition((ulong)i)).ToList();

        var batches = WindowPoStSubmitter.Batch(partitions, WindowPoStSubmitter.PartitionsPerMessage(2, 2));

        Assert.Equal(8, batches.Count);
        Assert.Single(batches[7]);
    }

    [Fact]
    public void A_partition_with_recovering_sectors_goes_alone_with_SingleRecoveringPartitionPerPostMessage_as_in_TestBatchPartitionsRecoverySectors()
    {
        // 4 healthy, 2 recovering, 6 healthy, 1 recovering; user limit 2.
        var recovering = new Partition(BitField.FromSet([1, 2]), BitField.FromSet([1]), BitField.FromSet([1]), BitField.FromSet([1, 2]), BitField.FromSet([1, 2]));
        List<Partition> partitions = [.. Enumerable.Repeat(Partition(1, 2), 4), .. Enumerable.Repeat(recovering, 2), .. Enumerable.Repeat(Partition(1, 2), 6), recovering];

        var batches = WindowPoStSubmitter.Batch(partitions, WindowPoStSubmitter.PartitionsPerMessage(2, 2), singleRecovering: true);

        Assert.Equal([2, 2, 1, 1, 2, 2, 2, 1], batches.Select(b => b.Count));
        Assert.Equal(Enumerable.Range(0, partitions.Count), batches.SelectMany(b => b.Select(p => p.Index)));
        Assert.Equal([4, 5, 12], batches.Where(b => b.Count == 1).Select(b => b[0].Index));
    }

    [Fact]
    public void A_batch_of_healthy_partitions_proves_all_their_sectors_and_skips_none()
    {
        var held = Held(1, 2, 3, 4);

        var plans = WindowPoStSubmitter.Plan([(0, Partition(1, 2)), (1, Partition(3, 4))], held);
        var posted = WindowPoStSubmitter.Posted(plans, [1, 2, 3, 4]);

        Assert.Equal([1UL, 2, 3, 4], plans.SelectMany(p => p.Good).Select(s => s.Number));
        Assert.Equal([0UL, 1], posted.Select(p => p.Index));
        Assert.All(posted, p => Assert.True(p.Skipped.IsEmpty));
    }

    [Fact]
    public void Faulty_sectors_are_not_proven_recovering_ones_are_and_the_unreadable_go_in_skipped_as_in_runPoStCycle()
    {
        // Partition 0: 1..4 live, 2 and 3 faulty, 3 recovering: Lotus proves live - faulty + recovering = {1, 3, 4}.
        var all = BitField.FromSet([1, 2, 3, 4]);
        var p0 = new Partition(all, BitField.FromSet([2, 3]), BitField.FromSet([3]), all, all);
        var held = Held(1, 2, 3, 4, 5, 6);

        var plans = WindowPoStSubmitter.Plan([(0, p0), (1, Partition(5, 6))], held);
        Assert.Equal([1UL, 3, 4], plans[0].ToProve.ToArray());
        Assert.Equal([1UL, 3, 4, 5, 6], plans.SelectMany(p => p.Good).Select(s => s.Number));

        // The prover skipped 4 (unreadable) and proved the rest: 4 goes in partition 0's Skipped, faulty 2 does not.
        var posted = WindowPoStSubmitter.Posted(plans, [1, 3, 5, 6]);
        Assert.Equal([4UL], posted[0].Skipped.ToArray());
        Assert.True(posted[1].Skipped.IsEmpty);
    }

    [Fact]
    public void Sectors_this_miner_does_not_hold_are_skipped_and_a_partition_with_nothing_proven_is_left_out()
    {
        var held = Held(1, 2, 3);

        var plans = WindowPoStSubmitter.Plan([(0, Partition(1, 9)), (1, Partition(2, 3))], held);
        Assert.Equal([1UL], plans[0].Good.Select(s => s.Number));

        // 1 was skipped by the prover too: partition 0 has no proven sector, so Lotus leaves it out of the message
        // (sectorsForProof returns nothing for it) and the chain faults it at the deadline's end.
        var posted = WindowPoStSubmitter.Posted(plans, [2, 3]);
        Assert.Equal([1UL], posted.Select(p => p.Index));

        var withOne = WindowPoStSubmitter.Posted(plans, [1, 2, 3]);
        Assert.Equal([9UL], withOne[0].Skipped.ToArray());
    }

    private static Dictionary<ulong, ProvingSector> Held(params ulong[] numbers) =>
        numbers.ToDictionary(n => n, n => new ProvingSector(n, RegisteredSealProof.StackedDrg2KiBV1_1, Sealed));

    private static Partition Partition(params ulong[] sectors)
    {
        var all = BitField.FromSet(sectors);
        return new Partition(all, BitField.Empty, BitField.Empty, all, all);
    }
}
