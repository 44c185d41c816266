using Kiln.Api.Types;
using Kiln.Miner.Chain;
using Kiln.Miner.Chain.Devnet;
using Kiln.Miner.Proving;
using Kiln.Stores.PoSt;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Miner.Tests.Proving;

/// <summary>
/// Declarations ahead of a deadline on the devnet chain, batched as Lotus's storage/wdpost/wdpost_run_faults.go
/// declareRecoveries batches them ([Proving] MaxPartitionsPerRecoveryMessage, LOTUS_RECOVERING_SECTOR_LIMIT), and the
/// faults as its declareFaults did (every partition in one message).
/// </summary>
public sealed class FaultDeclarerTests
{
    [Fact]
    public void Lotus_declares_for_the_deadline_after_next_wrapping_at_the_period_end()
    {
        Assert.Equal(7, FaultDeclarer.DeclarationDeadline(DeadlineInfo.At(5 * 60)));
        Assert.Equal(1, FaultDeclarer.DeclarationDeadline(DeadlineInfo.At(47 * 60)));
    }

    [Fact]
    public async Task Unreadable_sectors_of_every_partition_go_in_one_DeclareFaults_and_come_back_in_batches_of_the_configured_partitions()
    {
        // Deadline 40: partitions of two, sectors 1..6; 1, 3 and 5 (one in each partition) cannot be read.
        var (node, chain) = Devnet();
        node.Preseal([1, 2, 3, 4, 5, 6], PoStFixture.Sector(1).SealedCid, deadline: 40);
        var unreadable = new HashSet<ulong> { 1, 3, 5 };
        var options = new ProvingOptions { MaxPartitionsPerRecoveryMessage = 2 };
        var declarer = new FaultDeclarer(chain, new SectorChecker(new Vanillas(unreadable), options, PoStFixture.Miner), PoStFixture.Miner, options, NullLogger.Instance);
        var held = Held(6);

        var faults = await declarer.DeclareAsync(40, held, CancellationToken.None);

        Assert.Single(faults.FaultMessages);
        Assert.Equal([(0UL, new ulong[] { 1 }), (1UL, [3]), (2UL, [5])], faults.Faults.Select(f => (f.Partition, f.Sectors.ToArray())).ToList(), new DeclarationComparer());
        Assert.All(faults.Bad.Values, why => Assert.Contains("unreadable in this test", why, StringComparison.Ordinal));
        var partitions = await chain.DeadlinePartitionsAsync(PoStFixture.Miner, 40, CancellationToken.None);
        Assert.Equal([1UL, 3, 5], partitions.SelectMany(p => p.FaultySectors));

        unreadable.Clear();
        var recoveries = await declarer.DeclareAsync(40, held, CancellationToken.None);

        Assert.Empty(recoveries.Faults);
        Assert.Equal(2, recoveries.RecoveryMessages.Count); // 3 partitions, at most 2 a message
        Assert.Equal([0UL, 1, 2], recoveries.Recoveries.Select(r => r.Partition));
        partitions = await chain.DeadlinePartitionsAsync(PoStFixture.Miner, 40, CancellationToken.None);
        Assert.Equal([1UL, 3, 5], partitions.SelectMany(p => p.RecoveringSectors));

        // Nothing is faulty and not recovering any more: nothing to declare.
        var none = await declarer.DeclareAsync(40, held, CancellationToken.None);
        Assert.Empty(none.RecoveryMessages);
        Assert.Empty(none.FaultMessages);
    }

    [Fact]
    public async Task Eleven_faulty_partitions_of_twenty_at_three_a_message_make_four_messages_as_in_TestWDPostDeclareRecoveriesPartLimitConfig()
    {
        var (node, chain) = Devnet();
        node.Preseal([.. Enumerable.Range(1, 40).Select(n => (ulong)n)], PoStFixture.Sector(1).SealedCid, deadline: 40);
        var unreadable = Enumerable.Range(1, 22).Select(n => (ulong)n).ToHashSet(); // partitions 0..10, both sectors
        var options = new ProvingOptions { MaxPartitionsPerRecoveryMessage = 3 };
        var declarer = new FaultDeclarer(chain, new SectorChecker(new Vanillas(unreadable), options, PoStFixture.Miner), PoStFixture.Miner, options, NullLogger.Instance);
        var faults = await declarer.DeclareAsync(40, Held(40), CancellationToken.None);
        Assert.Equal(11, faults.Faults.Count);

        unreadable.Clear();
        var recoveries = await declarer.DeclareAsync(40, Held(40), CancellationToken.None);

        Assert.Equal(4, recoveries.RecoveryMessages.Count);
        Assert.Equal(Enumerable.Range(0, 11).Select(i => (ulong)i), recoveries.Recoveries.Select(r => r.Partition));
        Assert.All(recoveries.Recoveries, r => Assert.Equal(2UL, r.Sectors.Count));
    }

    [Fact]
    public async Task The_recovering_sector_limit_cuts_the_declaration_and_DeclareFaults_off_leaves_bad_sectors_to_the_PoSt()
    {
        var (node, chain) = Devnet();
        node.Preseal([1, 2, 3, 4], PoStFixture.Sector(1).SealedCid, deadline: 40);
        var unreadable = new HashSet<ulong> { 1, 2, 3 };
        var options = new ProvingOptions();
        var declarer = new FaultDeclarer(chain, new SectorChecker(new Vanillas(unreadable), options, PoStFixture.Miner), PoStFixture.Miner, options, NullLogger.Instance);
        await declarer.DeclareAsync(40, Held(4), CancellationToken.None);

        unreadable.Clear();
        var limited = new ProvingOptions { RecoveringSectorLimit = 2 };
        var recoveries = await new FaultDeclarer(chain, new SectorChecker(new Vanillas(unreadable), limited, PoStFixture.Miner), PoStFixture.Miner, limited, NullLogger.Instance)
            .DeclareAsync(40, Held(4), CancellationToken.None);
        Assert.Equal([1UL, 2], recoveries.Recoveries.SelectMany(r => r.Sectors));

        unreadable.Add(4);
        var off = new ProvingOptions { DeclareFaults = false };
        var skippedInstead = await new FaultDeclarer(chain, new SectorChecker(new Vanillas(unreadable), off, PoStFixture.Miner), PoStFixture.Miner, off, NullLogger.Instance)
            .DeclareAsync(40, Held(4), CancellationToken.None);
        Assert.Empty(skippedInstead.FaultMessages);
        Assert.Equal([3UL], skippedInstead.Recoveries.SelectMany(r => r.Sectors)); // recoveries are declared all the same
    }

    private static List<ProvingSector> Held(int count) =>
        [.. Enumerable.Range(1, count).Select(n => PoStFixture.Sector(1) with { Number = (ulong)n })];

    /// <summary>A devnet chain of 10 ms epochs on the system clock, so declarations land (deadline 40's cutoff is 23 s away).</summary>
    private static (DevnetNode Node, FullNodeChain Chain) Devnet()
    {
        var node = new DevnetNode(new DevnetNodeOptions { MinerId = PoStFixture.Miner, EpochDuration = TimeSpan.FromMilliseconds(10) }, TimeProvider.System, NullLogger<DevnetNode>.Instance);
        return (node, ChainFactory.OverDevnet(node, 't', TimeProvider.System, NullLoggerFactory.Instance));
    }

    private sealed class Vanillas(IReadOnlySet<ulong> unreadable) : IVanillaSource
    {
        public Task<byte[]> ReadAsync(ulong minerId, Kiln.Proofs.RegisteredPoStProof proofType, PostSectorChallenge sector, CancellationToken cancellationToken) =>
            unreadable.Contains(sector.SectorNumber)
                ? Task.FromException<byte[]>(new IOException($"sector {sector.SectorNumber} is unreadable in this test"))
                : Task.FromResult(PoStFixture.Vanilla(proofType, sector));
    }

    private sealed class DeclarationComparer : IEqualityComparer<List<(ulong, ulong[])>>
    {
        public bool Equals(List<(ulong, ulong[])>? x, List<(ulong, ulong[])>? y) =>
            x is not null && y is not null && x.Count == y.Count && x.Zip(y).All(p => p.First.Item1 == p.Second.Item1 && p.First.Item2.SequenceEqual(p.Second.Item2));

        public int GetHashCode(List<(ulong, ulong[])> obj) => obj.Count;
    }
}
