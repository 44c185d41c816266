namespace Kiln.Proofs.Fr32;

/// <summary>
/// A read-only stream that removes Fr32 padding from the padded bytes of <c>source</c>: 127 bytes
/// per whole 128-byte block; a short last block yields the whole bytes its data bits carry. Give
/// <c>unpaddedLength</c> to stop after exactly that many unpadded bytes (a padded partial block
/// carries a few zero bytes more than were padded).
/// </summary>
public sealed class Fr32UnpadStream : Stream
{
    private const int Blocks = 64;

    private readonly Stream _source;
    private readonly bool _leaveOpen;
    private readonly long _limit;
    private readonly byte[] _in = new byte[Blocks * Fr32Padding.PaddedBlockSize];
    private readonly byte[] _out = new byte[Blocks * Fr32Padding.UnpaddedBlockSize];
    private int _outPos;
    private int _outLen;
    private bool _sourceDone;
    private long _position;

    public Fr32UnpadStream(Stream source, long? unpaddedLength = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!source.CanRead)
        {
            throw new ArgumentException("source stream must be readable", nameof(source));
        }

        if (unpaddedLength is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(unpaddedLength), unpaddedLength, "length must not be negative");
        }

        _source = source;
        _leaveOpen = leaveOpen;
        _limit = unpaddedLength ?? long.MaxValue;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    /// <summary>Unpadded bytes returned so far.</summary>
    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty || _position >= _limit)
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

            Decode(got);
        }

        return CopyOut(buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty || _position >= _limit)
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

            Decode(got);
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

    private void Decode(int got)
    {
        var whole = got / Fr32Padding.PaddedBlockSize;
        var rest = got % Fr32Padding.PaddedBlockSize;
        var wholeBytes = whole * Fr32Padding.PaddedBlockSize;
        Fr32Padding.Unpad(_in.AsSpan(0, wholeBytes), _out);
        _outLen = whole * Fr32Padding.UnpaddedBlockSize;
        if (rest > 0)
        {
            _in.AsSpan(wholeBytes + rest, Fr32Padding.PaddedBlockSize - rest).Clear();
            Span<byte> block = stackalloc byte[Fr32Padding.UnpaddedBlockSize];
            Fr32Padding.UnpadBlock(_in.AsSpan(wholeBytes, Fr32Padding.PaddedBlockSize), block);
            var n = (int)Fr32Padding.UnpaddedLength(rest);
            block[..n].CopyTo(_out.AsSpan(_outLen));
            _outLen += n;
        }

        _outPos = 0;
    }

    private int CopyOut(Span<byte> buffer)
    {
        var n = (int)Math.Min(Math.Min(buffer.Length, _outLen - _outPos), _limit - _position);
        _out.AsSpan(_outPos, n).CopyTo(buffer);
        _outPos += n;
        _position += n;
        return n;
    }
}
