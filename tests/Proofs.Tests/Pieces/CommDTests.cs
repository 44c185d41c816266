using Kiln.Proofs.Multiformats;
using Kiln.Proofs.Pieces;

namespace Kiln.Proofs.Tests.Pieces;

public class CommDTests
{
    private static PieceCommitment Piece(byte fill, ulong unpadded)
        => new(new UnpaddedPieceSize(unpadded).Padded(), new Commitment(Enumerable.Repeat(fill, 32).ToArray()));

    [Fact]
    public void Padded_pieces_in_a_4096_byte_sector_match_the_vector()
    {
        PieceCommitment[] pieces = [Piece(1, 127), Piece(2, 508), Piece(3, 254), Piece(4, 1016)];

        var commD = CommD.Compute(4096, pieces);

        Assert.Equal("7f433f5ce16e1126a6323b89e086b8b69ee3c181bee87a7be40df7eb11b57d0d", Convert.ToHexStringLower(commD));
        // The pieces plus the alignment cover the whole sector, so Lotus's padded form agrees.
        Assert.Equal(commD, CommD.ComputeUnsealed(4096, pieces));
    }

    [Theory]
    [InlineData(128UL, "3731bb99ac689f66eef5973e4a94da188f4ddcae580724fc6f3fd60dfd488333")]
    [InlineData(2048UL, "fc7e928296e516faade986b28f92d44a4f24b935485223376a799027bc18f833")]
    public void Empty_piece_list_gives_the_empty_sector_commitment(ulong sectorSize, string hex)
    {
        Assert.Equal(hex, Convert.ToHexStringLower(CommD.Compute(sectorSize, [])));
    }

    [Fact]
    public void GenerateUnsealedCid_of_an_empty_2KiB_sector()
    {
        Assert.Equal("baga6ea4seaqpy7usqklokfx2vxuynmupslkeutzexe2uqurdg5vhtebhxqmpqmy", CommD.GenerateUnsealedCid(RegisteredSealProof.StackedDrg2KiBV1_1, []));
        Assert.Equal("baga6ea4seaqao7s73y24kcutaosvacpdjgfe5pw76ooefnyqw4ynr3d2y6x2mpq", CommD.GenerateUnsealedCid(RegisteredSealProof.StackedDrg32GiBV1_1, []));
    }

    [Fact]
    public void Rust_comm_d_is_not_padded_to_the_sector_but_Lotus_is()
    {
        var piece = Piece(7, 127);

        var rust = CommD.Compute(2048, [piece]);
        var lotus = CommD.ComputeUnsealed(2048, [piece]);

        Assert.Equal(piece.Commitment.ToArray(), rust);
        Assert.Equal(CommP.PadCommP(rust, 128, 2048), lotus);
        Assert.Equal(CommCid.ToPieceCid(lotus), CommD.GenerateUnsealedCid(RegisteredSealProof.StackedDrg2KiBV1_1, [piece]));
    }

    [Fact]
    public void Lotus_inserts_pad_pieces_before_a_misaligned_piece()
    {
        // 128 then 512: Lotus pads 128 + 256 before the 512-byte piece.
        var a = Piece(1, 127);
        var b = Piece(2, 508);
        PieceCommitment[] explicitPads = [a, PieceCommitment.Pad(new PaddedPieceSize(128)), PieceCommitment.Pad(new PaddedPieceSize(256)), b];

        Assert.Equal(CommD.Compute(2048, explicitPads), CommD.Compute(2048, [a, b]));
        Assert.Equal(CommD.ComputeUnsealed(2048, explicitPads), CommD.ComputeUnsealed(2048, [a, b]));
    }

    [Fact]
    public void Checks_reject_bad_piece_lists()
    {
        var tooBig = Assert.Throws<ProofsException>(() => CommD.Compute(2048, [Piece(1, 2032), Piece(2, 127)]));
        Assert.Contains("more than the 2048-byte sector", tooBig.Message, StringComparison.Ordinal);

        var notPow2 = Assert.Throws<ProofsException>(() => CommD.Compute(2048, [new PieceCommitment(new PaddedPieceSize(384), default)]));
        Assert.Contains("not a power of two", notPow2.Message, StringComparison.Ordinal);

        var tooMany = Assert.Throws<ProofsException>(() => CommD.Compute(2048, Enumerable.Repeat(Piece(1, 127), 17).ToArray()));
        Assert.Contains("too many pieces", tooMany.Message, StringComparison.Ordinal);

        Assert.Throws<ProofsException>(() => CommD.ComputeUnsealed(2048, [Piece(1, 1016), Piece(2, 1016), Piece(3, 127)]));
        Assert.Throws<ProofsException>(() => CommD.Compute(3000, []));
    }
}
