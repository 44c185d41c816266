using Kiln.Api.IO;
namespace Kiln.Api.JsonRpc;

/// <summary>Base of the forward-only streams reader params decode to: async reads, sync reads block on them.</summary>
/// <remarks>Only <see cref="ReadAsync(Memory{byte}, CancellationToken)"/> is left to implement.</remarks>
public abstract class ReadOnlyStream : ForwardReadStream, IRpcReaderParam
{
    bool IRpcReaderParam.HandedOver { get; set; }


    public abstract override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);
}
