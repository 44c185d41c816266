using Kiln.Api.Chain;
using Kiln.Testing.Chain;

namespace Kiln.Cluster.Tests;

/// <summary>
/// A deadline's Window PoSt reaches a Lotus full node's chain (the stand-in, which decodes SubmitWindowedPoSt with its
/// own CBOR decoder and checks it as the miner actor does) as Lotus's window PoSt scheduler sends it
/// (storage/wdpost/wdpost_run.go runPoStCycle, BatchPartitions, runSubmitPoST): the deadline's partitions from
/// StateMinerPartitions, at most PoStedPartitionsMax (3) per message, ChainCommitEpoch the challenge epoch and
/// ChainCommitRand the node's PoStChainCommit ticket randomness, from the worker address, value 0, MaxFee 5 FIL.
/// </summary>
public sealed class WindowPoStSubmitClusterTests(BenchSectorTemplate template) : IClassFixture<BenchSectorTemplate>, IAsyncLifetime
{
    private static readonly TimeSpan ProveTimeout = TimeSpan.FromSeconds(90);
    private LotusNodeStandIn _node = null!;
    private PoStCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        // The head sits at the open of deadline 5 (60-epoch windows), mined every 100 ms: the proof has its 6 s window.
        _node = await LotusNodeStandIn.StartAsync(startHeight: 2880 + (5 * 60), network: 't');
        _cluster = await PoStCluster.StartAsync(template, _node.ApiInfo);
        _node.StartMining(TimeSpan.FromMilliseconds(100));
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _node.DisposeAsync();
    }

    [Fact]
    public async Task Four_partitions_go_out_as_two_messages_that_the_node_decodes_and_accepts()
    {
        var chain = _cluster.Miner.Proving.Chain;
        var deadline = await chain.ProvingDeadlineAsync(PoStCluster.MinerId, CancellationToken.None);
        Assert.Equal(5, deadline.Index);
        ulong[] numbers = [11, 12, 13, 14, 15, 16, 17, 18];
        for (var p = 0; p < 4; p++)
        {
            _node.Activate((ulong)deadline.Index, (ulong)p, numbers[2 * p], numbers[(2 * p) + 1]);
        }

        await _cluster.StartStorageNodeAsync("storage", numbers);
        var loop = _cluster.Loop(numbers);

        using var timeout = new CancellationTokenSource(ProveTimeout);
        var record = await loop.ProveDeadlineAsync(deadline, timeout.Token);

        Assert.NotNull(record);
        Assert.True(record.Outcome == "Succeeded", record.Error);
        var posts = _node.WindowPoSts.OrderBy(p => p.Partitions[0].Index).ToList();
        Assert.Equal(2, posts.Count); // 4 partitions, at most 3 a message
        Assert.Equal([[0UL, 1UL, 2UL], [3UL]], posts.Select(p => p.Partitions.Select(x => x.Index).ToArray()));
        foreach (var post in posts)
        {
            Assert.Equal((ulong)deadline.Index, post.Deadline);
            Assert.All(post.Partitions, p => Assert.Empty(p.Skipped));
            var proof = Assert.Single(post.Proofs);
            Assert.Equal(10L, proof.ProofType); // StackedDrgWindow2KiBV1_1
            Assert.Equal(post.Partitions.Count * 192, proof.ProofBytes.Length); // one Groth16 proof per partition
            Assert.Equal(deadline.Challenge, post.ChainCommitEpoch);
            Assert.Equal(LotusNodeStandIn.TicketRandomness(9, deadline.Challenge, []), post.ChainCommitRand); // PoStChainCommit
            Assert.Equal(_node.WorkerKey, post.From);
            Assert.Equal(ExitCodes.Ok, _node.ReceiptOf(post.MessageCid)!.Value.ExitCode);
        }

        var pushed = _node.Pushed.Where(m => m.Method == MinerMethods.SubmitWindowedPoSt).ToList();
        Assert.All(pushed, m => Assert.Equal(0, (int)m.Value));
        Assert.All(pushed, m => Assert.Equal(System.Numerics.BigInteger.Parse("5000000000000000000", System.Globalization.CultureInfo.InvariantCulture), m.MaxFee));
    }
}
