namespace Kiln.Proofs.Fr32;

/// <summary>
/// A read-only stream that Fr32-pads the unpadded bytes of <c>source</c>, like rust's Fr32Reader:
/// 128 bytes per whole 127-byte block, and for a short last block one 32-byte element per started
/// 254 bits (the unused bits zero).
/// </summary>
public sealed class Fr32PadStream : Stream
{
    private const int Blocks = 64;

    private readonly Stream _source;
    private readonly bool _leaveOpen;
    private readonly byte[] _in = new byte[Blocks * Fr32Padding.UnpaddedBlockSize];
    private readonly byte[] _out = new byte[Blocks * Fr32Padding.PaddedBlockSize];
    private int _outPos;
    private int _outLen;
    private bool _sourceDone;
    private long _position;

    public Fr32PadStream(Stream source, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!source.CanRead)
        {
            throw new ArgumentException("source stream must be readable", nameof(source));
        }

        _source = source;
        _leaveOpen = leaveOpen;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    /// <summary>Padded bytes returned so far.</summary>
    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        if (_outPos == _outLen)
        {
            if (_sourceDone)
            {
                return 0;
            }

            var got = 0;
            while (got < _in.Length)
            {
                var n = _source.Read(_in, got, _in.Length - got);
                if (n == 0)
                {
                    _sourceDone = true;
                    break;
                }

                got += n;
            }

            Encode(got);
        }

        return CopyOut(buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        if (_outPos == _outLen)
        {
            if (_sourceDone)
            {
                return 0;
            }

            var got = 0;
            while (got < _in.Length)
            {
                var n = await _source.ReadAsync(_in.AsMemory(got), cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    _sourceDone = true;
                    break;
                }

                got += n;
            }

            Encode(got);
        }

        return CopyOut(buffer.Span);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_leaveOpen)
        {
            _source.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Encode(int got)
    {
        var whole = got / Fr32Padding.UnpaddedBlockSize;
        var rest = got % Fr32Padding.UnpaddedBlockSize;
        var wholeBytes = whole * Fr32Padding.UnpaddedBlockSize;
        Fr32Padding.Pad(_in.AsSpan(0, wholeBytes), _out);
        _outLen = whole * Fr32Padding.PaddedBlockSize;
        if (rest > 0)
        {
            // Only the last read of the source can leave a partial block: zero-extend it and emit
            // the elements that carry data bits.
            _in.AsSpan(wholeBytes + rest, Fr32Padding.UnpaddedBlockSize - rest).Clear();
            Fr32Padding.PadBlock(_in.AsSpan(wholeBytes, Fr32Padding.UnpaddedBlockSize), _out.AsSpan(_outLen, Fr32Padding.PaddedBlockSize));
            _outLen += Fr32Padding.ElementsForPartialBlock(rest) * 32;
        }

        _outPos = 0;
    }

    private int CopyOut(Span<byte> buffer)
    {
        var n = Math.Min(buffer.Length, _outLen - _outPos);
        _out.AsSpan(_outPos, n).CopyTo(buffer);
        _outPos += n;
        _position += n;
        return n;
    }
}
