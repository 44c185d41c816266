namespace Kiln.Worker.Sealing;

/// <summary>
/// Exactly <c>length</c> bytes: the source's first bytes, then zeros if it ends early (Lotus Sealer.DataCid reads
/// <c>io.LimitReader(io.MultiReader(pieceData, nullreader.Reader{}), pieceSize)</c>). Bytes past <c>length</c> are
/// not read.
/// </summary>
internal sealed class ZeroExtendedReader(Stream source, long length) : Stream
{
    private long _position;
    private bool _sourceEnded;

    /// <summary>Bytes taken from the source (the rest were zeros).</summary>
    public long SourceBytes { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var want = (int)Math.Min(buffer.Length, length - _position);
        if (want <= 0)
        {
            return 0;
        }

        var n = 0;
        if (!_sourceEnded)
        {
            n = await source.ReadAsync(buffer[..want], cancellationToken).ConfigureAwait(false);
            _sourceEnded = n == 0;
            SourceBytes += n;
        }

        if (_sourceEnded)
        {
            buffer.Span[..want].Clear();
            n = want;
        }

        _position += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
