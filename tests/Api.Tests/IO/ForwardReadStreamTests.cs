using Kiln.Api.IO;

namespace Kiln.Api.Tests.IO;

public sealed class ForwardReadStreamTests
{
    [Fact]
    public async Task A_synchronous_source_serves_async_reads_and_an_asynchronous_one_serves_sync_reads()
    {
        var expected = Enumerable.Range(0, 1000).Select(i => (byte)(i * 7)).ToArray();

        using var sync = new SyncCounting(expected);
        var viaAsync = new MemoryStream();
        await sync.CopyToAsync(viaAsync, 97);
        Assert.Equal(expected, viaAsync.ToArray());

        using var async = new AsyncCounting(expected);
        var viaSync = new MemoryStream();
        async.CopyTo(viaSync, 97);
        Assert.Equal(expected, viaSync.ToArray());
        Assert.True(async.AsyncReads > 1);
    }

    [Fact]
    public async Task Seeking_writing_length_and_position_are_refused_and_a_cancelled_read_is_cancelled()
    {
        using var s = new SyncCounting([1, 2, 3]);
        Assert.True(s.CanRead);
        Assert.False(s.CanSeek);
        Assert.False(s.CanWrite);
        Assert.Throws<NotSupportedException>(() => s.Length);
        Assert.Throws<NotSupportedException>(() => s.Position);
        Assert.Throws<NotSupportedException>(() => s.Position = 1);
        Assert.Throws<NotSupportedException>(() => s.Seek(0, SeekOrigin.Begin));
        Assert.Throws<NotSupportedException>(() => s.SetLength(1));
        Assert.Throws<NotSupportedException>(() => s.Write([1], 0, 1));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => s.ReadAsync(new byte[3], new CancellationToken(canceled: true)).AsTask());
        Assert.Equal(3, await s.ReadAsync(new byte[8]));
    }

    private sealed class SyncCounting(byte[] data) : ForwardReadStream
    {
        private int _at;

        public override int Read(Span<byte> buffer)
        {
            var n = Math.Min(buffer.Length, data.Length - _at);
            data.AsSpan(_at, n).CopyTo(buffer);
            _at += n;
            return n;
        }
    }

    private sealed class AsyncCounting(byte[] data) : ForwardReadStream
    {
        private int _at;

        public int AsyncReads { get; private set; }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            AsyncReads++;
            var n = Math.Min(buffer.Length, data.Length - _at);
            data.AsMemory(_at, n).CopyTo(buffer);
            _at += n;
            return n;
        }
    }
}
