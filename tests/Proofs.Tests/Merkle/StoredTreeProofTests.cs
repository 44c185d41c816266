using Kiln.Proofs.Merkle;
using Kiln.Proofs.Sdr;
using Kiln.Worker.Bench;

namespace Kiln.Proofs.Tests.Merkle;

/// <summary>
/// Inclusion proofs read from store files: compound tree-r-last LevelCacheStores over random replicas
/// (4 KiB 8-2-0, 16 KiB 8-8-0, 32 KiB 8-8-2), compound tree-c DiskStores, and a sha256 tree-d.
/// </summary>
public sealed class StoredTreeProofTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-proofs-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(4UL << 10, MerkleProofKind.Sub, 612, 1)]
    [InlineData(16UL << 10, MerkleProofKind.Sub, 804, 3)]
    [InlineData(32UL << 10, MerkleProofKind.Top, 860, 5)]
    public void Tree_r_last_proofs_of_compound_shapes(ulong sectorSize, MerkleProofKind kind, int bytes, int stride)
    {
        var sector = SyntheticSector.Create(_dir, sectorSize, new Random((int)sectorSize));
        var shape = sector.Shape;
        Assert.Equal(1, shape.RowsToDiscard);
        Assert.Equal(32, new FileInfo(CacheFiles.TreeRLast(sector.CacheDir, shape, shape.TreeCount - 1)).Length);
        var replica = File.ReadAllBytes(sector.ReplicaPath);

        using var tree = SectorTree.OpenTreeRLast(shape, sector.CacheDir, sector.ReplicaPath);

        Assert.Equal(sector.CommRLast, tree.Root.ToArray());
        Assert.Equal(shape.TreeCount, tree.BaseTrees.Count);
        for (long leaf = 0; leaf < (long)shape.Nodes; leaf += stride)
        {
            var proof = tree.GenerateProof(leaf);
            Assert.Equal(kind, proof.Kind);
            Assert.True(proof.Validate(leaf), $"leaf {leaf}");
            Assert.Equal(replica.AsSpan((int)leaf * 32, 32), proof.Leaf.Span);
            Assert.Equal(sector.CommRLast, proof.Root.ToArray());
            Assert.Equal(bytes, MerkleProofBincode.ToBytes(proof).Length);
        }

        // The last leaf of the last base tree, and the round trips of one proof.
        var last = tree.GenerateProof((long)shape.Nodes - 1);
        Assert.True(last.Validate((long)shape.Nodes - 1));
        var encoded = MerkleProofBincode.ToBytes(last);
        Assert.Equal(encoded, MerkleProofBincode.ToBytes(MerkleProofBincode.Parse(encoded, MerkleHasher.Poseidon)));
        Assert.Equal(encoded, MerkleProofBincode.ToBytes(MerkleProofJson.Parse(MerkleProofJson.ToJson(last), MerkleHasher.Poseidon)));
        Assert.Throws<ArgumentOutOfRangeException>(() => tree.GenerateProof((long)shape.Nodes));
    }

    [Fact]
    public void Tree_c_proofs_of_a_compound_disk_store()
    {
        var shape = SectorTreeShape.For(32UL << 10);
        var random = new Random(7);
        var roots = new byte[shape.TreeCount * 32];
        var leaves = new byte[shape.BaseLeaves * 32];
        for (var i = 0; i < shape.TreeCount; i++)
        {
            SyntheticSector.RandomCanonicalNodes(random, leaves);
            using var file = File.OpenHandle(CacheFiles.TreeC(_dir, shape, i), FileMode.Create, FileAccess.Write);
            var builder = PoseidonTreeBuilder.ForDiskStore(shape.Base, PoseidonTreeBuilder.FileStore(file));
            builder.Append(leaves);
            builder.Root.CopyTo(roots, i * 32);
        }

        using var tree = SectorTree.OpenTreeC(shape, _dir);

        Assert.Equal(PoseidonTree.CombineRoots(roots, 8, 2), tree.Root.ToArray());
        foreach (var leaf in new long[] { 0, 63, 64, 511, 512, 700, 1023 })
        {
            var proof = tree.GenerateProof(leaf);
            Assert.Equal(MerkleProofKind.Top, proof.Kind);
            Assert.True(proof.Validate(leaf));
        }

        Assert.Equal(leaves.AsSpan(^32), tree.GenerateProof(1023).Leaf.Span);
    }

    [Fact]
    public async Task Tree_d_proofs_hash_with_sha256_trunc254()
    {
        var data = new byte[4096];
        new Random(3).NextBytes(data);
        var path = CacheFiles.TreeD(_dir);
        var commD = await TreeD.BuildAsync(new MemoryStream(data), 4096, path, null, CancellationToken.None);

        using var tree = DiskStoreTree.OpenTreeD(_dir, 4096);

        Assert.Equal(commD, tree.Root.ToArray());
        for (var leaf = 0; leaf < 128; leaf++)
        {
            var proof = tree.GenerateProof(leaf);
            Assert.Equal(7, proof.BasePath.Count);
            Assert.True(proof.Validate(leaf));
            Assert.Equal(data.AsSpan(leaf * 32, 32), proof.Leaf.Span);
        }

        var json = MerkleProofJson.ToJson(tree.GenerateProof(77));
        var back = MerkleProofJson.Parse(json, MerkleHasher.Sha254);
        Assert.True(back.Validate(77));
        Assert.False(MerkleProofJson.Parse(json, MerkleHasher.Poseidon).Verify());
    }

    [Fact]
    public void Short_store_files_are_clear_errors()
    {
        var shape = SectorTreeShape.For(2048);
        var path = CacheFiles.TreeC(_dir, shape, 0);
        File.WriteAllBytes(path, new byte[2300]);

        var e = Assert.Throws<ProofsException>(() => SectorTree.OpenTreeC(shape, _dir));

        Assert.Equal($"tree-c file {path} is 2300 bytes, expected 2336", e.Message);
        Assert.Contains("does not exist", Assert.Throws<ProofsException>(() => SectorTree.OpenTreeC(SectorTreeShape.For(4096), _dir)).Message, StringComparison.Ordinal);
    }
}
