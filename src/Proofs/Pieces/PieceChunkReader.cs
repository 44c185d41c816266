using Kiln.Proofs.Fr32;
using Kiln.Proofs.Interop;

namespace Kiln.Proofs.Pieces;

/// <summary>
/// Reads a piece from a stream one chunk at a time (up to 127·8192 unpadded bytes, 1 MiB padded)
/// into native buffers and Fr32-pads it; a short read leaves zeros in the rest of the chunk.
/// </summary>
internal sealed class PieceChunkReader : IDisposable
{
    /// <summary>Unpadded bytes per chunk: 8192 blocks of 127 bytes.</summary>
    public const int UnpaddedChunk = PaddedTreeHasher.ChunkSize / Fr32Padding.PaddedBlockSize * Fr32Padding.UnpaddedBlockSize;

    private readonly NativeBuffer _unpadded = new(UnpaddedChunk);
    private readonly NativeBuffer _padded = new(PaddedTreeHasher.ChunkSize);

    /// <summary>The padded form of the last chunk read.</summary>
    public Memory<byte> Padded => _padded.Memory;

    /// <summary>
    /// Reads up to <paramref name="want"/> bytes (a multiple of 127), zero-fills the rest of them, and
    /// pads all <paramref name="want"/> bytes into <see cref="Padded"/>. Returns the bytes actually read.
    /// </summary>
    public async ValueTask<int> ReadAsync(Stream source, int want, CancellationToken ct)
    {
        var memory = _unpadded.Memory[..want];
        var got = 0;
        while (got < want)
        {
            var n = await source.ReadAsync(memory[got..], ct).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            got += n;
        }

        var span = _unpadded.GetSpan();
        span[got..want].Clear();
        Fr32Padding.Pad(span[..want], _padded.GetSpan()[..(want / Fr32Padding.UnpaddedBlockSize * Fr32Padding.PaddedBlockSize)]);
        return got;
    }

    /// <summary>Fills the padded buffer with zeros.</summary>
    public void ClearPadded() => _padded.GetSpan().Clear();

    public void Dispose()
    {
        ((IDisposable)_unpadded).Dispose();
        ((IDisposable)_padded).Dispose();
    }
}
