using Kiln.Api.IO;
namespace Kiln.Worker.Sealing;

/// <summary>
/// Exactly <c>length</c> bytes: the source's first bytes, then zeros if it ends early (Lotus Sealer.DataCid reads
/// <c>io.LimitReader(io.MultiReader(pieceData, nullreader.Reader{}), pieceSize)</c>). Bytes past <c>length</c> are
/// not read.
/// </summary>
internal sealed class ZeroExtendedReader(Stream source, long length) : ForwardReadStream
{
    private long _position;
    private bool _sourceEnded;

    /// <summary>Bytes taken from the source (the rest were zeros).</summary>
    public long SourceBytes { get; private set; }

    public override long Length => length;

    public override long Position => _position;

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
}
