using Kiln.Proofs.Fields;
using Kiln.Proofs.Hashing;
using Kiln.Proofs.Merkle;

namespace Kiln.Proofs.Tests.Merkle;

/// <summary>Poseidon trees against filecoin-hashers' and the derived Poseidon results and a naive recursive build.</summary>
public class PoseidonTreeTests
{
    [Theory]
    [InlineData(64, "643ff4d08bf7d20de2f3cf0506d75cfb763aa239971e24fad179a7970a06ef1f")]
    [InlineData(512, "4b621c74de11ac0ab579dc2f407036f542d689564e5e4bb48b4c70aeaba88435")]
    public void Arity_8_roots_over_zero_leaves(int leaves, string expected)
        => Assert.Equal(expected, Convert.ToHexStringLower(PoseidonTree.Root(new byte[leaves * 32], 8)));

    [Fact]
    public void Binary_tree_over_1_0_0_1_matches_filecoin_hashers()
    {
        var leaves = new[] { Fr.One, Fr.Zero, Fr.Zero, Fr.One }.SelectMany(f => f.ToBytes()).ToArray();
        Assert.Equal("71e691e2e38bbbefd25a2bcbb872cc77ae746bae8563eb30ebd96ab2b7ebff1e", Convert.ToHexStringLower(PoseidonTree.Root(leaves, 2)));
    }

    [Theory]
    [InlineData(2, 256)]
    [InlineData(8, 512)]
    [InlineData(8, 8)]
    [InlineData(8, 1)]
    public void Disk_store_in_uneven_chunks_equals_a_naive_build(int arity, int leafCount)
    {
        var leaves = RandomLeaves(leafCount, seed: leafCount + arity);
        var expected = NaiveStore(leaves, arity);
        var shape = new MerkleTreeShape(leafCount, arity);
        Assert.Equal(expected.Length, shape.Length * 32);

        var store = new byte[shape.Length * 32];
        var builder = PoseidonTreeBuilder.ForDiskStore(shape, PoseidonTreeBuilder.MemoryStore(store));
        var rng = new Random(3);
        var at = 0;
        while (at < leafCount)
        {
            Assert.False(builder.IsComplete);
            var n = Math.Min(leafCount - at, rng.Next(1, 40));
            builder.Append(leaves.AsSpan(at * 32, n * 32));
            at += n;
        }

        Assert.True(builder.IsComplete);
        Assert.Equal(expected, store);
        Assert.Equal(expected[^32..], builder.Root);
        Assert.Equal(store.Length, builder.StoreBytes);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Level_cache_store_holds_the_rows_above_the_discarded_ones(int rowsToDiscard)
    {
        var leaves = RandomLeaves(512, seed: 9);
        var full = NaiveStore(leaves, 8);
        var shape = new MerkleTreeShape(512, 8);
        var cache = new byte[shape.LevelCacheLength(rowsToDiscard) * 32];
        var builder = PoseidonTreeBuilder.ForLevelCache(shape, rowsToDiscard, PoseidonTreeBuilder.MemoryStore(cache));
        builder.Append(leaves.AsSpan(0, 96 * 32));
        builder.Append(leaves.AsSpan(96 * 32));

        Assert.Equal(full[(int)(shape.RowStart(rowsToDiscard + 1) * 32)..], cache);
        Assert.Equal(cache.Length, builder.StoreBytes);
        Assert.Throws<ArgumentOutOfRangeException>(() => shape.LevelCacheLength(3));
    }

    [Fact]
    public void Parallel_rows_equal_sequential_rows()
    {
        var leaves = RandomLeaves(4096, seed: 4);
        var sequential = new byte[512 * 32];
        var parallel = new byte[512 * 32];
        PoseidonTree.HashRow(leaves, sequential, 8);
        PoseidonTree.HashRow(leaves, parallel, 8, maxDegreeOfParallelism: 4);
        Assert.Equal(sequential, parallel);

        var builder = new PoseidonTreeBuilder(new MerkleTreeShape(4096, 8), maxDegreeOfParallelism: 2);
        builder.Append(leaves);
        Assert.Equal(PoseidonTree.Root(leaves, 8), builder.Root);
    }

    [Fact]
    public void Builder_refuses_extra_leaves_partial_nodes_non_canonical_leaves_and_an_early_root()
    {
        var builder = new PoseidonTreeBuilder(new MerkleTreeShape(8, 8));
        Assert.Throws<ArgumentException>(() => builder.Append(new byte[33]));
        builder.Append(new byte[7 * 32]);
        Assert.Throws<InvalidOperationException>(() => builder.Root);
        Assert.Throws<InvalidOperationException>(() => builder.Append(new byte[2 * 32]));
        var bad = new byte[32];
        bad.AsSpan().Fill(0xff);
        Assert.Throws<ProofsException>(() => builder.Append(bad));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MerkleTreeShape(63, 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MerkleTreeShape(64, 3));
    }

    /// <summary>Store sizes and rows_to_discard per sector size (storage-proofs-core util.rs <c>default_rows_to_discard</c>).</summary>
    [Theory]
    [InlineData(64L, 3, 2_336L, 1, 32L)]
    [InlineData(1L << 18, 7, 9_586_976L, 2, 18_720L)]
    [InlineData(1L << 24, 9, 613_566_752L, 2, 1_198_368L)]
    [InlineData(1L << 27, 10, 4_908_534_048L, 2, 9_586_976L)]
    public void Shapes_give_the_spec_file_sizes(long leaves, int rows, long diskStoreBytes, int rowsToDiscard, long levelCacheBytes)
    {
        var shape = new MerkleTreeShape(leaves, 8);
        Assert.Equal(rows, shape.Rows);
        Assert.Equal(diskStoreBytes, shape.Length * 32);
        Assert.Equal(rowsToDiscard, MerkleTreeShape.DefaultRowsToDiscard(leaves, 8));
        Assert.Equal(levelCacheBytes, shape.LevelCacheLength(rowsToDiscard) * 32);
    }

    [Fact]
    public void Default_rows_to_discard_follows_the_arity_caps()
    {
        Assert.Equal(0, MerkleTreeShape.DefaultRowsToDiscard(8, 8));
        Assert.Equal(7, MerkleTreeShape.DefaultRowsToDiscard(1L << 30, 2));
        Assert.Equal(5, MerkleTreeShape.DefaultRowsToDiscard(1L << 30, 4));
        Assert.Equal(3, MerkleTreeShape.DefaultRowsToDiscard(1L << 27, 8, configured: 3));
        Assert.Equal(2 * 1024 - 1, new MerkleTreeShape(1024, 2).Length);
    }

    [Fact]
    public void Roots_combine_per_shape()
    {
        var roots = RandomLeaves(16, seed: 2);
        Assert.Equal(roots[..32], PoseidonTree.CombineRoots(roots.AsSpan(0, 32), 0, 0));

        var two = PoseidonTree.CombineRoots(roots.AsSpan(0, 64), 2, 0);
        Assert.Equal(Hash(2, roots.AsSpan(0, 64)), two);

        // (8, 8, 2): 16 base roots → two sub roots → one top root.
        var sub0 = Hash(8, roots.AsSpan(0, 256));
        var sub1 = Hash(8, roots.AsSpan(256, 256));
        Assert.Equal(Hash(2, [.. sub0, .. sub1]), PoseidonTree.CombineRoots(roots, 8, 2));
        Assert.Throws<ArgumentException>(() => PoseidonTree.CombineRoots(roots, 8, 0));
    }

    private static byte[] Hash(int arity, ReadOnlySpan<byte> children)
    {
        var inputs = new Fr[arity];
        for (var i = 0; i < arity; i++)
        {
            inputs[i] = Fr.FromBytes(children.Slice(i * 32, 32));
        }

        return PoseidonHash.Hash(inputs).ToBytes();
    }

    /// <summary>Every row, leaves first, built one parent at a time through the element API.</summary>
    private static byte[] NaiveStore(byte[] leaves, int arity)
    {
        var rows = new List<byte[]> { leaves };
        while (rows[^1].Length > 32)
        {
            var below = rows[^1];
            var row = new byte[below.Length / arity];
            for (var i = 0; i < row.Length / 32; i++)
            {
                Hash(arity, below.AsSpan(i * arity * 32, arity * 32)).CopyTo(row, i * 32);
            }

            rows.Add(row);
        }

        return rows.SelectMany(r => r).ToArray();
    }

    private static byte[] RandomLeaves(int count, int seed)
    {
        var rng = new Random(seed);
        var leaves = new byte[count * 32];
        rng.NextBytes(leaves);
        for (var i = 0; i < count; i++)
        {
            leaves[(i * 32) + 31] &= 0x3F;
        }

        return leaves;
    }
}
