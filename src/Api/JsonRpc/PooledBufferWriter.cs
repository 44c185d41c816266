using System.Buffers;

namespace Kiln.Api.JsonRpc;

/// <summary>
/// A growable <see cref="IBufferWriter{T}"/> over <see cref="ArrayPool{T}.Shared"/> arrays. Arrays above
/// <see cref="MaxPooledArrayLength"/> are allocated and left to the GC instead: the shared pool keeps arrays up to
/// 1 GiB per core, so pooling a burst of 100 MiB request bodies would pin gigabytes for the life of the process.
/// </summary>
internal sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
{
    /// <summary>Largest array taken from and given back to the shared pool: 1 MiB.</summary>
    internal const int MaxPooledArrayLength = 1 << 20;

    private byte[] _buffer;
    private int _written;

    public PooledBufferWriter(int initialCapacity = 1024)
    {
        _buffer = Rent(initialCapacity);
    }

    /// <summary>An array of at least <paramref name="length"/> bytes: pooled when small, a fresh one above <see cref="MaxPooledArrayLength"/>.</summary>
    internal static byte[] Rent(int length) =>
        length > MaxPooledArrayLength ? GC.AllocateUninitializedArray<byte>(length) : ArrayPool<byte>.Shared.Rent(length);

    /// <summary>Gives an array from <see cref="Rent"/> back: to the pool when small, to the GC otherwise.</summary>
    internal static void Return(byte[] array)
    {
        if (array.Length is > 0 and <= MaxPooledArrayLength)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }

    public int Length => _written;

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    public void Advance(int count) => _written += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        _written += bytes.Length;
    }

    public void WriteByte(byte b)
    {
        GetSpan(1)[0] = b;
        _written++;
    }

    /// <summary>Forgets everything written after <paramref name="length"/> bytes.</summary>
    public void Truncate(int length) => _written = length;

    public void Clear() => _written = 0;

    /// <summary>Reads a stream to its end; false (and stops) once more than <paramref name="limit"/> bytes arrived.</summary>
    public async ValueTask<bool> ReadFromAsync(Stream stream, long limit, CancellationToken cancellationToken)
    {
        while (true)
        {
            // A buffer sized from Content-Length is filled before it grows: only the final zero-byte read needs room.
            var room = GetMemory(_written < _buffer.Length ? 1 : 4096);
            var n = await stream.ReadAsync(room[..(int)Math.Min(room.Length, limit + 1 - _written)], cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return true;
            }

            _written += n;
            if (_written > limit)
            {
                return false;
            }
        }
    }

    private void Ensure(int sizeHint)
    {
        sizeHint = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= sizeHint)
        {
            return;
        }

        var size = (int)Math.Min(Array.MaxLength, Math.Max((long)_buffer.Length * 2, (long)_written + sizeHint));
        var next = Rent(size);
        _buffer.AsSpan(0, _written).CopyTo(next);
        Return(_buffer);
        _buffer = next;
    }

    public void Dispose()
    {
        var b = _buffer;
        _buffer = [];
        _written = 0;
        Return(b);
    }
}
