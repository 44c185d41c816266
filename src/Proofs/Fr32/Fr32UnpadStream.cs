namespace Kiln.Proofs.Fr32;

/// <summary>
/// A read-only stream that removes Fr32 padding from the padded bytes of <c>source</c>: 127 bytes
/// per whole 128-byte block; a short last block yields the whole bytes its data bits carry. Give
/// <c>unpaddedLength</c> to stop after exactly that many unpadded bytes (a padded partial block
/// carries a few zero bytes more than were padded).
/// </summary>
public sealed class Fr32UnpadStream : Fr32BlockStream
{
    private const int Blocks = 64;

    public Fr32UnpadStream(Stream source, long? unpaddedLength = null, bool leaveOpen = false)
        : base(source, leaveOpen, Blocks * Fr32Padding.PaddedBlockSize, Blocks * Fr32Padding.UnpaddedBlockSize, CheckedLimit(unpaddedLength))
    {
    }

    private static long CheckedLimit(long? unpaddedLength) => unpaddedLength is < 0
        ? throw new ArgumentOutOfRangeException(nameof(unpaddedLength), unpaddedLength, "length must not be negative")
        : unpaddedLength ?? long.MaxValue;

    private protected override void Transform(int got)
    {
        var whole = got / Fr32Padding.PaddedBlockSize;
        var rest = got % Fr32Padding.PaddedBlockSize;
        var wholeBytes = whole * Fr32Padding.PaddedBlockSize;
        Fr32Padding.Unpad(Input.AsSpan(0, wholeBytes), Output);
        OutputLength = whole * Fr32Padding.UnpaddedBlockSize;
        if (rest > 0)
        {
            Input.AsSpan(wholeBytes + rest, Fr32Padding.PaddedBlockSize - rest).Clear();
            Span<byte> block = stackalloc byte[Fr32Padding.UnpaddedBlockSize];
            Fr32Padding.UnpadBlock(Input.AsSpan(wholeBytes, Fr32Padding.PaddedBlockSize), block);
            var n = (int)Fr32Padding.UnpaddedLength(rest);
            block[..n].CopyTo(Output.AsSpan(OutputLength));
            OutputLength += n;
        }
    }
}
