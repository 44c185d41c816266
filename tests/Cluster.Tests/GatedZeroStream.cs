using Kiln.Api.IO;
namespace Kiln.Cluster.Tests;

/// <summary>Piece data of zeros that is held back until the test opens the gate.</summary>
public sealed class GatedZeroStream(long size) : ForwardReadStream
{
    private readonly long _size = size;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _left = size;

    /// <summary>Completes when the reader first asks for data.</summary>
    public Task Started => _started.Task;

    public override long Length => _size;

    public override long Position => _size - _left;

    public void Open() => _gate.TrySetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _started.TrySetResult();
        await _gate.Task.WaitAsync(cancellationToken);
        var n = (int)Math.Min(buffer.Length, _left);
        buffer.Span[..n].Clear();
        _left -= n;
        return n;
    }
}
