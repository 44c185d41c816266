using System.Numerics;
using Kiln.Proofs.Fr32;
using Kiln.Proofs.Hashing;

namespace Kiln.Proofs.Pieces;

/// <summary>
/// Piece commitments: the sha254 binary-tree root over the Fr32-padded piece, computed with bounded
/// memory (rust-fil-proofs <c>generate_piece_commitment</c>).
/// </summary>
public static class CommP
{
    /// <summary>
    /// commP of the <paramref name="size"/> unpadded bytes read from <paramref name="unpaddedSource"/>.
    /// The source must supply all of them; bytes after them are not read.
    /// </summary>
    public static async Task<byte[]> ComputeAsync(Stream unpaddedSource, UnpaddedPieceSize size, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(unpaddedSource);
        size.Validate();

        using var reader = new PieceChunkReader();
        using var hasher = new PaddedTreeHasher();
        var remaining = size.Value;
        ulong read = 0;
        while (remaining > 0)
        {
            ct.ThrowIfCancellationRequested();
            var want = (int)Math.Min(remaining, PieceChunkReader.UnpaddedChunk);
            var got = await reader.ReadAsync(unpaddedSource, want, ct).ConfigureAwait(false);
            read += (ulong)got;
            if (got < want)
            {
                throw new ProofsException($"data shorter than declared: got {read} of {size.Value} bytes");
            }

            hasher.Write(reader.Padded.Span[..(want / Fr32Padding.UnpaddedBlockSize * Fr32Padding.PaddedBlockSize)]);
            remaining -= (ulong)want;
        }

        return hasher.Finish(size.Padded().TreeHeight);
    }

    /// <summary>commP of an in-memory piece whose length is a valid unpadded piece size (127·2^k).</summary>
    public static byte[] Compute(ReadOnlySpan<byte> unpaddedPiece)
    {
        var size = new UnpaddedPieceSize((ulong)unpaddedPiece.Length);
        size.Validate();
        using var hasher = new PaddedTreeHasher();
        hasher.WriteUnpadded(unpaddedPiece);
        return hasher.Finish(size.Padded().TreeHeight);
    }

    /// <summary>
    /// Extends the commitment of a <paramref name="fromPaddedSize"/>-byte tree to a
    /// <paramref name="toPaddedSize"/>-byte tree whose rest is zeros (go-fil-commp-hashhash
    /// <c>PadCommP</c>, Lotus <c>ZeroPadPieceCommitment</c>).
    /// </summary>
    public static byte[] PadCommP(ReadOnlySpan<byte> commP, ulong fromPaddedSize, ulong toPaddedSize)
    {
        if (commP.Length != 32)
        {
            throw new ProofsException($"a commitment is 32 bytes, got {commP.Length}");
        }

        if (fromPaddedSize < 32 || toPaddedSize < 32 || !BitOperations.IsPow2(fromPaddedSize) || !BitOperations.IsPow2(toPaddedSize))
        {
            throw new ProofsException($"padded sizes must be powers of two of at least 32 bytes, got {fromPaddedSize} and {toPaddedSize}");
        }

        if (toPaddedSize < fromPaddedSize)
        {
            throw new ProofsException($"cannot pad a {fromPaddedSize}-byte commitment down to {toPaddedSize} bytes");
        }

        var result = commP.ToArray();
        for (var level = BitOperations.Log2(fromPaddedSize) - 5; level < BitOperations.Log2(toPaddedSize) - 5; level++)
        {
            Sha254.HashPair(result, ZeroComm.GetSpan(level), result);
        }

        return result;
    }
}
