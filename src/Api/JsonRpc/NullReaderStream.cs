using Kiln.Api.IO;
namespace Kiln.Api.JsonRpc;

/// <summary>
/// <paramref name="length"/> zero bytes: the reader a <c>{"Type":"null","Info":"N"}</c> param decodes to
/// (filler pieces), and what a client passes to send such a param instead of pushing data.
/// </summary>
public sealed class NullReaderStream(long length) : ForwardReadStream, IRpcReaderParam
{
    private long _position;

    bool IRpcReaderParam.HandedOver { get; set; }

    public override long Length { get; } = length;

    public override long Position => _position;

    public override int Read(Span<byte> buffer)
    {
        var n = (int)Math.Min(buffer.Length, Length - _position);
        buffer[..n].Clear();
        _position += n;
        return n;
    }
}
