using System.Security.Cryptography;
using Kiln.Proofs.Fields;
using Kiln.Proofs.Hashing;
using Kiln.Proofs.Merkle;
using Kiln.Proofs.Multiformats;
using Kiln.Proofs.Pieces;
using Kiln.Proofs.Sdr;

namespace Kiln.Proofs.Tests.Merkle;

/// <summary>
/// The lotus-bench 2 KiB sector end to end from its labels (Lotus cmd/lotus-bench/simple.go's example steps (<c>simpleCmd</c>'s Description: 2 KiB of zeros, miner t01000, sector 1, and a zero ticket, as its printed PC1 output's <c>_lotus_SealRandomness</c> shows)):
/// StackedDrg2KiBV1_1, miner t01000, sector 1, zero ticket, 2048 zero bytes of data. With zero
/// data the replica equals layer 2, so tree_r_last is built over the layer-2 labels.
/// </summary>
public sealed class SealedSectorTreesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-trees-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Lotus_bench_2KiB_tree_c_tree_r_last_and_comm_r()
    {
        var proof = SealProofInfo.ForSectorSize(2048);
        Assert.Equal(2, proof.Layers);
        var replicaId = ReplicaId.Compute(ProverId.FromActorId(1000), 1, new byte[32], ZeroComm.GetSpan(6), proof.PoRepId.Span);
        Assert.Equal("2940faa406e4c6cbad015e2b08e76fd9e3b0e5b852cea7f8174c02ba33039a01", Convert.ToHexStringLower(replicaId));

        using (var parents = ParentCache.CreateInMemory(new StackedGraph(proof)))
        {
            SdrLabeler.Label(parents, replicaId, proof.Layers, _dir);
        }

        var layer1 = File.ReadAllBytes(CacheFiles.Layer(_dir, 1));
        var layer2 = File.ReadAllBytes(CacheFiles.Layer(_dir, 2));
        Assert.Equal("3fea9e96454770b2ba3bdf441d08ef9757293e5a07766723727ecfb109d64647", Convert.ToHexStringLower(SHA256.HashData(layer1)));
        Assert.Equal("a03d8ab5008d9659f6d45032fb1a6a1c49ad788af2465685b33081f05544de5d", Convert.ToHexStringLower(SHA256.HashData(layer2)));

        // tree_c: leaf n = H₂(label₁[n], label₂[n]); one base tree (shape 8,0,0), a DiskStore without the -0 suffix.
        var shape = new MerkleTreeShape(64, 8);
        var columns = new byte[64 * 32];
        for (var n = 0; n < 64; n++)
        {
            PoseidonHash.Hash2(Fr.FromBytes(layer1.AsSpan(n * 32, 32)), Fr.FromBytes(layer2.AsSpan(n * 32, 32))).WriteBytes(columns.AsSpan(n * 32, 32));
        }

        Assert.Equal("bd03dea9bb2484b56c36c2c0e552e648dcc31f75e6802be3a3e82e7437b23026", Convert.ToHexStringLower(columns[..32]));
        var treeCPath = Path.Combine(_dir, "sc-02-data-tree-c.dat");
        byte[] commC;
        using (var file = File.OpenHandle(treeCPath, FileMode.Create, FileAccess.ReadWrite))
        {
            var treeC = PoseidonTreeBuilder.ForDiskStore(shape, PoseidonTreeBuilder.FileStore(file));
            treeC.Append(columns);
            commC = PoseidonTree.CombineRoots(treeC.Root, 0, 0);
        }

        var treeCBytes = File.ReadAllBytes(treeCPath);
        Assert.Equal(2336, treeCBytes.Length);
        Assert.Equal("9220a7c6bcd4fc2c113545b0dc929b0f832084989cb9f01ff9b3f6f419a0a416", Convert.ToHexStringLower(SHA256.HashData(treeCBytes)));
        Assert.Equal("95dd0e3fd2b1226dfcff24b2c337b96a965aebea8fa2c3ed1a0470582191de0b", Convert.ToHexStringLower(commC));

        // tree_r_last over the replica (= layer 2): a LevelCacheStore with rows_to_discard 1, i.e. the root alone.
        var rowsToDiscard = MerkleTreeShape.DefaultRowsToDiscard(64, 8);
        var cache = new byte[shape.LevelCacheLength(rowsToDiscard) * 32];
        var treeRLast = PoseidonTreeBuilder.ForLevelCache(shape, rowsToDiscard, PoseidonTreeBuilder.MemoryStore(cache));
        treeRLast.Append(layer2);
        var commRLast = treeRLast.Root;
        Assert.Equal("d75cfa6d30ece5e2d0354a1f855d7fb128e42e84a16a133278fd9ea8b72a8f15", Convert.ToHexStringLower(commRLast));
        Assert.Equal(commRLast, cache);

        var commR = PoseidonHash.Hash2(Fr.FromBytes(commC), Fr.FromBytes(commRLast)).ToBytes();
        Assert.Equal("c647b998c78282296cfd1160714228d43f3b054dfbbb77172b68115ba3c3b762", Convert.ToHexStringLower(commR));
        Assert.Equal("bagboea4b5abcbrshxgmmpaucffwp2elaofbcrvb7hmcu3653o4lsw2arlor4hn3c", CommCid.ToSealedCid(commR));
    }
}
