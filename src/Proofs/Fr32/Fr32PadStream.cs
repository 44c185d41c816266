namespace Kiln.Proofs.Fr32;

/// <summary>
/// A read-only stream that Fr32-pads the unpadded bytes of <c>source</c>, like rust's Fr32Reader:
/// 128 bytes per whole 127-byte block, and for a short last block one 32-byte element per started
/// 254 bits (the unused bits zero).
/// </summary>
public sealed class Fr32PadStream : Fr32BlockStream
{
    private const int Blocks = 64;

    public Fr32PadStream(Stream source, bool leaveOpen = false)
        : base(source, leaveOpen, Blocks * Fr32Padding.UnpaddedBlockSize, Blocks * Fr32Padding.PaddedBlockSize, long.MaxValue)
    {
    }

    private protected override void Transform(int got)
    {
        var whole = got / Fr32Padding.UnpaddedBlockSize;
        var rest = got % Fr32Padding.UnpaddedBlockSize;
        var wholeBytes = whole * Fr32Padding.UnpaddedBlockSize;
        Fr32Padding.Pad(Input.AsSpan(0, wholeBytes), Output);
        OutputLength = whole * Fr32Padding.PaddedBlockSize;
        if (rest > 0)
        {
            // Only the last read of the source can leave a partial block: zero-extend it and emit
            // the elements that carry data bits.
            Input.AsSpan(wholeBytes + rest, Fr32Padding.UnpaddedBlockSize - rest).Clear();
            Fr32Padding.PadBlock(Input.AsSpan(wholeBytes, Fr32Padding.UnpaddedBlockSize), Output.AsSpan(OutputLength, Fr32Padding.PaddedBlockSize));
            OutputLength += Fr32Padding.ElementsForPartialBlock(rest) * 32;
        }
    }
}
