using System.Numerics;
using Kiln.Proofs.Hashing;
using Kiln.Proofs.Multiformats;

namespace Kiln.Proofs.Pieces;

/// <summary>
/// comm_d (unsealed sector commitment) from a list of pieces: rust-fil-proofs
/// <c>compute_comm_d</c> and Lotus <c>proofs.GenerateUnsealedCID</c>.
/// </summary>
public static class CommD
{
    /// <summary>
    /// rust <c>compute_comm_d</c>: the root of the smallest tree covering the pieces, each piece left
    /// of a bigger one padded with zero commitments first. An empty list gives Z[log2(S/32)]. Not padded
    /// up to the sector size.
    /// </summary>
    public static byte[] Compute(ulong sectorSize, IReadOnlyList<PieceCommitment> pieces)
    {
        ArgumentNullException.ThrowIfNull(pieces);
        ValidateSectorSize(sectorSize);
        if (pieces.Count == 0)
        {
            return ZeroComm.ForPaddedSize(sectorSize).ToArray();
        }

        var unpaddedSector = sectorSize - (sectorSize / 128);
        if ((ulong)pieces.Count > unpaddedSector / 127)
        {
            throw new ProofsException($"too many pieces: {pieces.Count} pieces do not fit a {sectorSize}-byte sector (at most {unpaddedSector / 127})");
        }

        ulong sum = 0;
        foreach (var piece in pieces)
        {
            piece.Size.Validate();
            sum += piece.Size.Value;
        }

        if (sum > sectorSize)
        {
            throw new ProofsException($"pieces total {sum} padded bytes, more than the {sectorSize}-byte sector");
        }

        var (root, _) = Fold(pieces);
        return root;
    }

    /// <summary>
    /// Lotus <c>proofs.GenerateUnsealedCID</c> as raw bytes: pad pieces are inserted before each piece
    /// to align it (<see cref="AddPiece.GetRequiredPadding"/>), the tree is folded, then zero-padded up
    /// to the sector size. No pieces gives the empty-sector commitment.
    /// </summary>
    public static byte[] ComputeUnsealed(ulong sectorSize, IReadOnlyList<PieceCommitment> pieces)
    {
        ArgumentNullException.ThrowIfNull(pieces);
        ValidateSectorSize(sectorSize);
        if (pieces.Count == 0)
        {
            return ZeroComm.ForPaddedSize(sectorSize).ToArray();
        }

        var all = new List<PieceCommitment>(pieces.Count * 2);
        ulong sum = 0;
        foreach (var piece in pieces)
        {
            piece.Size.Validate();
            foreach (var pad in AddPiece.GetRequiredPadding(new PaddedPieceSize(sum), piece.Size))
            {
                all.Add(PieceCommitment.Pad(pad));
                sum += pad.Value;
            }

            all.Add(piece);
            sum += piece.Size.Value;
        }

        if (sum > sectorSize)
        {
            throw new ProofsException($"pieces sum up to {sum} bytes, which is larger than the sector size {sectorSize}");
        }

        var (root, size) = Fold(all);
        return CommP.PadCommP(root, size, sectorSize);
    }

    /// <summary>Lotus <c>proofs.GenerateUnsealedCID</c>: the comm_d piece CID for a sector of <paramref name="proof"/>.</summary>
    public static string GenerateUnsealedCid(RegisteredSealProof proof, IReadOnlyList<PieceCommitment> pieces)
        => CommCid.ToPieceCid(ComputeUnsealed(SealProofInfo.Get(proof).SectorSize, pieces));

    /// <summary>The stack algorithm shared by both entry points; returns the root and its tree size.</summary>
    private static (byte[] Root, ulong Size) Fold(IReadOnlyList<PieceCommitment> pieces)
    {
        var stack = new List<(byte[] Comm, ulong Size)>(64);
        Shift(stack, pieces[0].Commitment.ToArray(), pieces[0].Size.Value, reduce: false);
        for (var i = 1; i < pieces.Count; i++)
        {
            var piece = pieces[i];
            while (stack[^1].Size < piece.Size.Value)
            {
                var top = stack[^1].Size;
                Shift(stack, ZeroComm.ForPaddedSize(top).ToArray(), top, reduce: true);
            }

            Shift(stack, piece.Commitment.ToArray(), piece.Size.Value, reduce: true);
        }

        while (stack.Count > 1)
        {
            var top = stack[^1].Size;
            Shift(stack, ZeroComm.ForPaddedSize(top).ToArray(), top, reduce: true);
        }

        return stack[0];
    }

    private static void Shift(List<(byte[] Comm, ulong Size)> stack, byte[] comm, ulong size, bool reduce)
    {
        stack.Add((comm, size));
        while (reduce && stack.Count > 1 && stack[^2].Size == stack[^1].Size)
        {
            var right = stack[^1];
            var left = stack[^2];
            stack.RemoveRange(stack.Count - 2, 2);
            var parent = new byte[32];
            Sha254.HashPair(left.Comm, right.Comm, parent);
            stack.Add((parent, left.Size * 2));
        }
    }

    private static void ValidateSectorSize(ulong sectorSize)
    {
        if (sectorSize < 128 || !BitOperations.IsPow2(sectorSize))
        {
            throw new ProofsException($"sector size {sectorSize} is not a power of two of at least 128 bytes");
        }
    }
}
