using System.Numerics;
using Kiln.Proofs.Fr32;

namespace Kiln.Proofs.Pieces;

/// <summary>
/// Incremental commP of an arbitrary payload, like go-fil-commp-hashhash <c>Calc</c>: the payload is
/// zero-extended to 127·2^k bytes and its padded size is the next power of two of 128 bytes per
/// started 127. Payloads must be 65 bytes to 64 GiB·127/128.
/// </summary>
public sealed class CommPCalculator : IDisposable
{
    /// <summary>Smallest payload hashhash accepts.</summary>
    public const ulong MinPayload = 65;

    /// <summary>Largest payload: a 64 GiB padded piece.</summary>
    public const ulong MaxPayload = (1UL << 36) / 128 * 127;

    private const int StagingBlocks = 64;

    private readonly PaddedTreeHasher _hasher = new();
    private readonly byte[] _staging = new byte[StagingBlocks * Fr32Padding.UnpaddedBlockSize];
    private int _staged;
    private ulong _total;
    private bool _finished;

    /// <summary>Payload bytes written so far.</summary>
    public ulong BytesWritten => _total;

    /// <summary>Adds payload bytes.</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        if (_finished)
        {
            throw new InvalidOperationException("Digest() was already called; call Reset() to start a new payload");
        }

        if ((ulong)data.Length > MaxPayload - _total)
        {
            throw new ProofsException($"payload of {_total + (ulong)data.Length} bytes exceeds the maximum of {MaxPayload} bytes");
        }

        _total += (ulong)data.Length;
        if (_staged > 0)
        {
            var n = Math.Min(_staging.Length - _staged, data.Length);
            data[..n].CopyTo(_staging.AsSpan(_staged));
            _staged += n;
            data = data[n..];
            if (_staged < _staging.Length)
            {
                return;
            }

            _hasher.WriteUnpadded(_staging);
            _staged = 0;
        }

        var whole = data.Length / Fr32Padding.UnpaddedBlockSize * Fr32Padding.UnpaddedBlockSize;
        _hasher.WriteUnpadded(data[..whole]);
        data[whole..].CopyTo(_staging);
        _staged = data.Length - whole;
    }

    /// <summary>
    /// The commitment and padded piece size of everything written. Ends the payload: call
    /// <see cref="Reset"/> before writing another.
    /// </summary>
    public (byte[] CommP, PaddedPieceSize PaddedSize) Digest()
    {
        if (_total < MinPayload)
        {
            throw new ProofsException($"commP is not defined for payloads shorter than {MinPayload} bytes, got {_total}");
        }

        if (_staged > 0)
        {
            var rounded = (_staged + Fr32Padding.UnpaddedBlockSize - 1) / Fr32Padding.UnpaddedBlockSize * Fr32Padding.UnpaddedBlockSize;
            _staging.AsSpan(_staged, rounded - _staged).Clear();
            _hasher.WriteUnpadded(_staging.AsSpan(0, rounded));
            _staged = 0;
        }

        var quads = (_total + Fr32Padding.UnpaddedBlockSize - 1) / Fr32Padding.UnpaddedBlockSize;
        var padded = new PaddedPieceSize(BitOperations.RoundUpToPowerOf2(quads * Fr32Padding.PaddedBlockSize));
        _finished = true;
        return (_hasher.Finish(padded.TreeHeight), padded);
    }

    /// <summary>Starts a new payload.</summary>
    public void Reset()
    {
        _hasher.Reset();
        _staged = 0;
        _total = 0;
        _finished = false;
    }

    public void Dispose() => _hasher.Dispose();
}
