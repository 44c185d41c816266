using System.Numerics;
using System.Runtime.InteropServices;
using Kiln.Proofs.Interop;

namespace Kiln.Proofs.Sdr;

/// <summary>
/// One SDR layer as fixed-size blocks that need not be contiguous (the memory pool hands a layer
/// out this way): block i holds the labels of nodes [i·2^<see cref="Shift"/>, (i + 1)·2^<see cref="Shift"/>),
/// so the label of node v is at <c>Table[v &gt;&gt; Shift] + 32·(v &amp; (2^Shift − 1))</c>.
/// A view, like a span: the table and the blocks belong to the caller and must outlive its use.
/// Same layout as <c>kiln_layer</c> in native/kiln_native.c.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public readonly unsafe struct LayerBlocks
{
    /// <summary>Largest block shift: one block of 2^32 nodes holds every node a u32 parent index can name.</summary>
    public const int MaxShift = 32;

    private readonly byte** _table;
    private readonly ulong _nodes;
    private readonly int _shift;

    /// <summary>A layer of <paramref name="nodes"/> labels whose block i starts at <paramref name="table"/>[i], blocks of 32 &lt;&lt; <paramref name="shift"/> bytes.</summary>
    public LayerBlocks(byte** table, int shift, ulong nodes)
    {
        if (table == null)
        {
            throw new ArgumentNullException(nameof(table), "a layer needs a block table");
        }

        CheckShape(shift, nodes);
        _table = table;
        _shift = shift;
        _nodes = nodes;
    }

    /// <summary>Block i's first label (block i holds 2^<see cref="Shift"/> labels).</summary>
    public byte** Table => _table;

    /// <summary>log2 of the nodes per block.</summary>
    public int Shift => _shift;

    /// <summary>Labels in the layer.</summary>
    public ulong Nodes => _nodes;

    public ulong NodesPerBlock => 1UL << _shift;

    public ulong BlockBytes => 32UL << _shift;

    /// <summary>Entries of <see cref="Table"/> the layer uses.</summary>
    public ulong BlockCount => ((_nodes - 1) >> _shift) + 1;

    /// <summary>True for <c>default</c>: no table.</summary>
    public bool IsEmpty => _table == null;

    /// <summary>The label of <paramref name="node"/> (no bounds check).</summary>
    public byte* Label(ulong node) => _table[node >> _shift] + ((node & ((1UL << _shift) - 1)) << 5);

    /// <summary>Table entries needed for a layer of <paramref name="nodes"/> labels in blocks of 2^<paramref name="shift"/> nodes.</summary>
    public static ulong BlockCountFor(ulong nodes, int shift)
    {
        CheckShape(shift, nodes);
        return ((nodes - 1) >> shift) + 1;
    }

    /// <summary>The smallest shift that makes a layer of <paramref name="nodes"/> labels one block.</summary>
    public static int OneBlockShift(ulong nodes)
    {
        ArgumentOutOfRangeException.ThrowIfZero(nodes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(nodes, 1UL << MaxShift);
        return nodes == 1 ? 0 : BitOperations.Log2(nodes - 1) + 1;
    }

    /// <summary>
    /// Views the contiguous labels at <paramref name="layer"/> (<paramref name="nodes"/> × 32 bytes) as blocks
    /// of 2^<paramref name="shift"/> nodes, writing the <see cref="BlockCountFor"/> block addresses to <paramref name="table"/>.
    /// </summary>
    public static LayerBlocks Over(byte* layer, ulong nodes, int shift, byte** table)
    {
        if (layer == null)
        {
            throw new ArgumentNullException(nameof(layer));
        }

        var count = BlockCountFor(nodes, shift);
        var blocks = new LayerBlocks(table, shift, nodes);
        for (ulong i = 0; i < count; i++)
        {
            table[i] = layer + (i * blocks.BlockBytes);
        }

        return blocks;
    }

    /// <summary>Views a whole <see cref="NativeBuffer"/> of labels as blocks; see the pointer overload.</summary>
    public static LayerBlocks Over(NativeBuffer layer, int shift, byte** table)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (layer.Length % 32 != 0)
        {
            throw new ArgumentException($"a layer buffer holds whole 32-byte labels, got {layer.Length} bytes", nameof(layer));
        }

        return Over(layer.Pointer, layer.Length / 32, shift, table);
    }

    /// <summary>A contiguous layer of unknown length as one block that covers every u32 node index (the raw-pointer labeling overloads).</summary>
    internal static LayerBlocks Unbounded(byte** table) => new(table, MaxShift, 1UL << MaxShift);

    private static void CheckShape(int shift, ulong nodes)
    {
        if ((uint)shift > MaxShift)
        {
            throw new ArgumentOutOfRangeException(nameof(shift), shift, $"the block shift must be 0..{MaxShift} (a block is 32 << shift bytes)");
        }

        if (nodes == 0 || nodes > 1UL << MaxShift)
        {
            throw new ArgumentOutOfRangeException(nameof(nodes), nodes, $"a layer has 1..2^{MaxShift} nodes");
        }
    }
}
