using Kiln.Api.Types;
using Kiln.Miner.Chain;
using Kiln.Miner.Proving;
using Kiln.Proofs;

namespace Kiln.Miner.Tests.Proving;

/// <summary>
/// How a deadline's partitions become SubmitWindowedPoSt messages: Lotus storage/wdpost/wdpost_run.go
/// BatchPartitions with chain/actors/policy GetMaxPoStPartitions (TestWDPostDoPost: 4 full messages and one more
/// partition make 5 messages; TestWDPostDoPostPartLimitConfig: a user limit of 2 over 5 × the network's limit makes 8),
/// and which batches Kiln proves exactly as Lotus would.
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
    public void A_batch_of_healthy_partitions_proves_their_sectors_partition_by_partition()
    {
        var held = new ulong[] { 1, 2, 3, 4 }.ToDictionary(n => n, n => new ProvingSector(n, RegisteredSealProof.StackedDrg2KiBV1_1, Sealed));

        var (sectors, refusal) = WindowPoStSubmitter.SectorsFor([(0, Partition(1, 2)), (1, Partition(3, 4))], held);

        Assert.Null(refusal);
        Assert.Equal([1UL, 2, 3, 4], sectors.Select(s => s.Number));
    }

    [Fact]
    public void Batches_Lotus_would_prove_with_stand_in_sectors_are_refused_with_the_reason()
    {
        var held = new ulong[] { 1, 2, 3, 4 }.ToDictionary(n => n, n => new ProvingSector(n, RegisteredSealProof.StackedDrg2KiBV1_1, Sealed));
        var faulty = new Partition(BitField.FromSet([1, 2]), BitField.FromSet([2]), BitField.Empty, BitField.FromSet([1, 2]), BitField.FromSet([1, 2]));

        Assert.Contains("partition 0 has faulty or recovering sectors (2)", WindowPoStSubmitter.SectorsFor([(0, faulty)], held).Refusal, StringComparison.Ordinal);
        Assert.Contains("partition 3 holds sectors this miner does not prove (9)", WindowPoStSubmitter.SectorsFor([(3, Partition(4, 9))], held).Refusal, StringComparison.Ordinal);
        Assert.Contains("not in sector order", WindowPoStSubmitter.SectorsFor([(0, Partition(3, 4)), (1, Partition(1, 2))], held).Refusal, StringComparison.Ordinal);
    }

    private static Partition Partition(params ulong[] sectors)
    {
        var all = BitField.FromSet(sectors);
        return new Partition(all, BitField.Empty, BitField.Empty, all, all);
    }
}
