namespace Kiln.Proofs.Fr32;

/// <summary>
/// A read-only stream that turns whole blocks read from a source into output blocks (Fr32 padding
/// or unpadding): fill the input buffer, <see cref="Transform"/> it, hand the output out.
/// </summary>
public abstract class Fr32BlockStream : Stream
{
    private readonly Stream _source;
    private readonly bool _leaveOpen;
    private readonly long _limit;
    private int _outPos;
    private bool _sourceDone;
    private long _position;

    private protected Fr32BlockStream(Stream source, bool leaveOpen, int inputBytes, int outputBytes, long limit)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!source.CanRead)
        {
            throw new ArgumentException("source stream must be readable", nameof(source));
        }

        _source = source;
        _leaveOpen = leaveOpen;
        _limit = limit;
        Input = new byte[inputBytes];
        Output = new byte[outputBytes];
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    /// <summary>Output bytes returned so far.</summary>
    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    private protected byte[] Input { get; }

    private protected byte[] Output { get; }

    /// <summary>Valid bytes in <see cref="Output"/> after <see cref="Transform"/>.</summary>
    private protected int OutputLength { get; set; }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty || _position >= _limit)
        {
            return 0;
        }

        if (_outPos == OutputLength)
        {
            if (_sourceDone)
            {
                return 0;
            }

            var got = 0;
            while (got < Input.Length)
            {
                var n = _source.Read(Input, got, Input.Length - got);
                if (n == 0)
                {
                    _sourceDone = true;
                    break;
                }

                got += n;
            }

            Refill(got);
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

        if (_outPos == OutputLength)
        {
            if (_sourceDone)
            {
                return 0;
            }

            var got = 0;
            while (got < Input.Length)
            {
                var n = await _source.ReadAsync(Input.AsMemory(got), cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    _sourceDone = true;
                    break;
                }

                got += n;
            }

            Refill(got);
        }

        return CopyOut(buffer.Span);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>Turns the first <paramref name="got"/> bytes of <see cref="Input"/> into <see cref="Output"/>; only the source's last read may hold a partial block.</summary>
    private protected abstract void Transform(int got);

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_leaveOpen)
        {
            _source.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Refill(int got)
    {
        Transform(got);
        _outPos = 0;
    }

    private int CopyOut(Span<byte> buffer)
    {
        var n = (int)Math.Min(Math.Min(buffer.Length, OutputLength - _outPos), _limit - _position);
        Output.AsSpan(_outPos, n).CopyTo(buffer);
        _outPos += n;
        _position += n;
        return n;
    }
}
