using Kiln.Proofs.Interop;
using Kiln.Proofs.Sdr;

namespace Kiln.Proofs.Tests.Sdr;

public sealed unsafe class LayerBlocksTests
{
    [Fact]
    public void A_contiguous_buffer_viewed_as_blocks_addresses_every_label_where_it_lies()
    {
        using var layer = new NativeBuffer(100 * 32);
        var table = stackalloc byte*[13];
        var blocks = LayerBlocks.Over(layer, 3, table);

        Assert.Equal(100UL, blocks.Nodes);
        Assert.Equal(3, blocks.Shift);
        Assert.Equal(8UL, blocks.NodesPerBlock);
        Assert.Equal(256UL, blocks.BlockBytes);
        Assert.Equal(13UL, blocks.BlockCount);
        Assert.Equal(13UL, LayerBlocks.BlockCountFor(100, 3));
        for (var i = 0; i < 13; i++)
        {
            Assert.Equal((nint)(layer.Pointer + (256 * i)), (nint)table[i]);
        }

        for (ulong v = 0; v < 100; v++)
        {
            Assert.Equal((nint)(layer.Pointer + (32 * v)), (nint)blocks.Label(v));
        }
    }

    [Fact]
    public void Layout_matches_the_native_kiln_layer()
    {
        // struct { uint8_t* const* blocks; uint64_t nodes; uint32_t shift; } on a 64-bit ABI
        Assert.Equal(24, sizeof(LayerBlocks));
    }

    [Fact]
    public void Scattered_blocks_are_addressed_through_the_table()
    {
        var a = stackalloc byte[64];
        var b = stackalloc byte[64];
        var table = stackalloc byte*[2];
        table[0] = b;
        table[1] = a;
        var blocks = new LayerBlocks(table, 1, 4);

        Assert.Equal((nint)b, (nint)blocks.Label(0));
        Assert.Equal((nint)(b + 32), (nint)blocks.Label(1));
        Assert.Equal((nint)a, (nint)blocks.Label(2));
        Assert.Equal((nint)(a + 32), (nint)blocks.Label(3));
    }

    [Theory]
    [InlineData(1UL, 0)]
    [InlineData(2UL, 1)]
    [InlineData(64UL, 6)]
    [InlineData(300UL, 9)]
    [InlineData(1UL << 30, 30)]
    [InlineData(1UL << 32, 32)]
    public void One_block_shift_covers_the_layer(ulong nodes, int shift)
    {
        Assert.Equal(shift, LayerBlocks.OneBlockShift(nodes));
        Assert.Equal(1UL, LayerBlocks.BlockCountFor(nodes, shift));
    }

    [Fact]
    public void Bad_shapes_are_rejected()
    {
        var table = stackalloc byte*[1];
        var t = (nint)table;
        var shift = Assert.Throws<ArgumentOutOfRangeException>(() => new LayerBlocks((byte**)t, -1, 64));
        Assert.Equal("shift", shift.ParamName);
        Assert.Contains("block shift", shift.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new LayerBlocks((byte**)t, LayerBlocks.MaxShift + 1, 64));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LayerBlocks((byte**)t, 3, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LayerBlocks((byte**)t, 3, (1UL << LayerBlocks.MaxShift) + 1));
        Assert.Throws<ArgumentNullException>(() => new LayerBlocks(null, 3, 64));
        Assert.Throws<ArgumentOutOfRangeException>(() => LayerBlocks.BlockCountFor(64, 40));
        Assert.Throws<ArgumentOutOfRangeException>(() => LayerBlocks.OneBlockShift(0));
        Assert.True(default(LayerBlocks).IsEmpty);
    }
}
