using Kiln.Proofs.Fr32;
using Kiln.Proofs.Hashing;
using Kiln.Proofs.Interop;

namespace Kiln.Proofs.Pieces;

/// <summary>
/// Streams Fr32-padded bytes into a sha254 binary tree with bounded memory: each 1 MiB chunk is
/// reduced to its subtree root in place, and the roots are folded on a small stack (a binary
/// counter of subtree levels). Data shorter than the tree is zero-extended.
/// </summary>
internal sealed class PaddedTreeHasher : IDisposable
{
    /// <summary>Padded bytes per subtree chunk.</summary>
    public const int ChunkSize = 1 << 20;

    private const int MaxDepth = 64;

    private readonly NativeBuffer _chunk = new(ChunkSize);
    private readonly byte[] _stackNodes = new byte[MaxDepth * 32];
    private readonly int[] _stackLevels = new int[MaxDepth];
    private int _depth;
    private int _filled;
    private ulong _total;

    /// <summary>Padded bytes written so far.</summary>
    public ulong BytesWritten => _total;

    /// <summary>Adds padded bytes (any number of whole 32-byte nodes per call is fine).</summary>
    public void Write(ReadOnlySpan<byte> padded)
    {
        _total += (ulong)padded.Length;
        while (!padded.IsEmpty)
        {
            if (_filled == 0 && padded.Length >= ChunkSize)
            {
                // Whole chunk straight from the caller: the first level reads the source directly.
                Sha254.HashPairs(padded[..ChunkSize], _chunk.GetSpan());
                ReduceChunk(ChunkSize / 2, 1);
                padded = padded[ChunkSize..];
                continue;
            }

            var n = Math.Min(ChunkSize - _filled, padded.Length);
            padded[..n].CopyTo(_chunk.GetSpan()[_filled..]);
            _filled += n;
            padded = padded[n..];
            if (_filled == ChunkSize)
            {
                ReduceChunk(ChunkSize, 0);
            }
        }
    }

    /// <summary>Fr32-pads whole 127-byte blocks straight into the chunk buffer and hashes them.</summary>
    public void WriteUnpadded(ReadOnlySpan<byte> unpadded)
    {
        if (unpadded.Length % Fr32Padding.UnpaddedBlockSize != 0)
        {
            throw new ArgumentException("unpadded data must be whole 127-byte blocks", nameof(unpadded));
        }

        while (!unpadded.IsEmpty)
        {
            var blocks = Math.Min((ChunkSize - _filled) / Fr32Padding.PaddedBlockSize, unpadded.Length / Fr32Padding.UnpaddedBlockSize);
            var inBytes = blocks * Fr32Padding.UnpaddedBlockSize;
            var outBytes = blocks * Fr32Padding.PaddedBlockSize;
            Fr32Padding.Pad(unpadded[..inBytes], _chunk.GetSpan().Slice(_filled, outBytes));
            _filled += outBytes;
            _total += (ulong)outBytes;
            unpadded = unpadded[inBytes..];
            if (_filled == ChunkSize)
            {
                ReduceChunk(ChunkSize, 0);
            }
        }
    }

    /// <summary>
    /// The root over 32·2^<paramref name="height"/> bytes: the data written, then zeros. Throws when
    /// more data was written than the tree holds. The hasher is empty again afterwards.
    /// </summary>
    public byte[] Finish(int height)
    {
        if (_total > (32UL << height))
        {
            throw new ProofsException($"{_total} padded bytes do not fit a tree of {32UL << height} bytes");
        }

        if (_filled > 0)
        {
            if (_filled % 32 != 0)
            {
                throw new InvalidOperationException("padded data must end on a whole 32-byte node");
            }

            var size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)_filled);
            _chunk.GetSpan()[_filled..size].Clear();
            ReduceChunk(size, 0);
        }

        var root = new byte[32];
        if (_depth == 0)
        {
            ZeroComm.GetSpan(height).CopyTo(root);
            return root;
        }

        while (_depth > 1)
        {
            var level = _stackLevels[_depth - 1];
            Push(ZeroComm.GetSpan(level), level);
        }

        var rootLevel = _stackLevels[0];
        _stackNodes.AsSpan(0, 32).CopyTo(root);
        for (var level = rootLevel; level < height; level++)
        {
            Sha254.HashPair(root, ZeroComm.GetSpan(level), root);
        }

        Reset();
        return root;
    }

    public void Reset()
    {
        _depth = 0;
        _filled = 0;
        _total = 0;
    }

    public void Dispose() => ((IDisposable)_chunk).Dispose();

    /// <summary>Reduces the first <paramref name="bytes"/> of the chunk (already at <paramref name="level"/>) to one node and pushes it.</summary>
    private void ReduceChunk(int bytes, int level)
    {
        var span = _chunk.GetSpan();
        while (bytes > 32)
        {
            Sha254.HashPairs(span[..bytes], span);
            bytes /= 2;
            level++;
        }

        Push(span[..32], level);
        _filled = 0;
    }

    private void Push(ReadOnlySpan<byte> node, int level)
    {
        Span<byte> current = stackalloc byte[32];
        node.CopyTo(current);
        while (_depth > 0 && _stackLevels[_depth - 1] == level)
        {
            _depth--;
            Sha254.HashPair(_stackNodes.AsSpan(_depth * 32, 32), current, current);
            level++;
        }

        current.CopyTo(_stackNodes.AsSpan(_depth * 32, 32));
        _stackLevels[_depth] = level;
        _depth++;
    }
}
