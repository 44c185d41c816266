using Kiln.Proofs.Sdr;

namespace Kiln.Proofs.Tests.Sdr;

public class ChaCha8RngTests
{
    [Fact]
    public void Zero_key_block_zero_matches_the_classic_ChaCha8_keystream()
    {
        // draft-strombergson-chacha-test-vectors TC1 (8 rounds, 256-bit zero key, zero IV): keystream 3e00ef2f895f40d67f5bb8e81f09a5a1…
        var rng = new ChaCha8Rng(new byte[32]);
        Assert.Equal(0x2fef003eu, rng.NextUInt32());
        Assert.Equal(0xd6405f89u, rng.NextUInt32());
        Assert.Equal(0xe8b85b7fu, rng.NextUInt32());
        Assert.Equal(0xa1a5091fu, rng.NextUInt32());
    }

    [Fact]
    public void Block_function_matches_the_stream_and_counts_blocks()
    {
        Span<uint> block = stackalloc uint[16];
        ChaCha8Rng.Block(new uint[8], 0, block);
        Assert.Equal(0x2fef003eu, block[0]);

        // Words 16.. of the stream are block 1.
        var rng = new ChaCha8Rng(new byte[32]);
        for (var i = 0; i < 16; i++)
        {
            Assert.Equal(block[i], rng.NextUInt32());
        }

        ChaCha8Rng.Block(new uint[8], 1, block);
        Assert.Equal(block[0], rng.NextUInt32());
        Assert.Equal(block[1], rng.NextUInt32());
    }

    [Fact]
    public void Drg_rng_of_node_2_of_the_2KiB_V1_graph_draws_the_known_u64s()
    {
        // storage-proofs-core drgraph.rs BucketGraph::parents: ChaCha8Rng seeded with drg_seed(porep 00×32) ‖ node 2 as u32 LE.
        var seed = Convert.FromHexString("623f03efd4cbc4f029203ee913d026a4e2d9913025a8aed04fec97a002000000");
        var rng = new ChaCha8Rng(seed);
        Assert.Equal(0x86a35c8732d272b7UL, rng.NextUInt64());
        Assert.Equal(0x4c11a1496b961bd7UL, rng.NextUInt64());
        Assert.Equal(0x2059e1b8d0a84ad8UL, rng.NextUInt64());
        Assert.Equal(0xf5a59b677ac14de2UL, rng.NextUInt64());
    }

    [Fact]
    public void NextUInt64_takes_the_low_word_first_across_block_boundaries()
    {
        var words = new ChaCha8Rng(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
        var pairs = new ChaCha8Rng(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
        for (var i = 0; i < 40; i++)
        {
            ulong lo = words.NextUInt32();
            ulong hi = words.NextUInt32();
            Assert.Equal(lo | (hi << 32), pairs.NextUInt64());
        }
    }

    [Fact]
    public void Seed_must_be_32_bytes()
    {
        Assert.Throws<ArgumentException>(() => new ChaCha8Rng(new byte[28]));
    }
}
