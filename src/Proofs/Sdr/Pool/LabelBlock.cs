namespace Kiln.Proofs.Sdr.Pool;

/// <summary>
/// One block of a layer held by a PC1 job: <see cref="Length"/> bytes at <see cref="Pointer"/> holding the labels of
/// nodes <c>[Index &lt;&lt; shift, (Index + 1) &lt;&lt; shift)</c> of layer <see cref="Layer"/>, node v at
/// <c>Pointer + 32·(v − FirstNode)</c>. Valid until the job releases the layer.
/// </summary>
public readonly unsafe struct LabelBlock
{
    internal LabelBlock(byte* pointer, ulong length, int layer, int index, int nodeShift)
    {
        Pointer = pointer;
        Length = length;
        Layer = layer;
        Index = index;
        NodeShift = nodeShift;
    }

    /// <summary>Start of the block (32-byte aligned at least; page-aligned when the block is a page or more).</summary>
    public byte* Pointer { get; }

    /// <summary>Bytes in the block.</summary>
    public ulong Length { get; }

    /// <summary>Layer (1-based) the block belongs to.</summary>
    public int Layer { get; }

    /// <summary>Index of the block within its layer.</summary>
    public int Index { get; }

    /// <summary>log2 of the nodes per block.</summary>
    public int NodeShift { get; }

    /// <summary>First node labeled into this block.</summary>
    public ulong FirstNode => (ulong)Index << NodeShift;

    /// <summary>The block as a span (blocks are at most 1 GiB).</summary>
    public Span<byte> Span => new(Pointer, (int)Length);
}
