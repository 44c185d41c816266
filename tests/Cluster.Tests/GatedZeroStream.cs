namespace Kiln.Cluster.Tests;

/// <summary>Piece data of zeros that is held back until the test opens the gate.</summary>
public sealed class GatedZeroStream(long size) : Stream
{
    private readonly long _size = size;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _left = size;

    /// <summary>Completes when the reader first asks for data.</summary>
    public Task Started => _started.Task;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => _size;

    public override long Position { get => _size - _left; set => throw new NotSupportedException(); }

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

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
