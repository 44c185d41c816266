using Kiln.Proofs.Pieces;

namespace Kiln.Proofs.Tests.Pieces;

public class PieceSizeTests
{
    [Theory]
    [InlineData(127UL, 128UL)]
    [InlineData(254UL, 256UL)]
    [InlineData(2032UL, 2048UL)]
    [InlineData(34091302912UL, 34359738368UL)]
    public void Padded_and_unpadded_follow_the_go_formulas(ulong unpadded, ulong padded)
    {
        Assert.Equal(padded, new UnpaddedPieceSize(unpadded).Padded().Value);
        Assert.Equal(unpadded, new PaddedPieceSize(padded).Unpadded().Value);
        new UnpaddedPieceSize(unpadded).Validate();
        new PaddedPieceSize(padded).Validate();
    }

    [Theory]
    [InlineData(1000UL, "piece size 1000 is not 127·2^k")]
    [InlineData(381UL, "piece size 381 is not 127·2^k")]
    [InlineData(100UL, "piece size 100 is below the minimum of 127 bytes")]
    public void Invalid_unpadded_sizes_are_explained(ulong size, string message)
    {
        var e = Assert.Throws<ProofsException>(() => new UnpaddedPieceSize(size).Validate());
        Assert.Equal(message, e.Message);
        Assert.False(new UnpaddedPieceSize(size).IsValid);
    }

    [Theory]
    [InlineData(64UL, "padded piece size 64 is below the minimum of 128 bytes")]
    [InlineData(384UL, "padded piece size 384 is not a power of two")]
    public void Invalid_padded_sizes_are_explained(ulong size, string message)
    {
        var e = Assert.Throws<ProofsException>(() => new PaddedPieceSize(size).Validate());
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void PieceInfo_round_trips_through_its_cid()
    {
        var cid = "baga6ea4seaqpy7usqklokfx2vxuynmupslkeutzexe2uqurdg5vhtebhxqmpqmy";
        var info = PieceCommitment.FromPieceCid(new PaddedPieceSize(2048), cid);

        Assert.Equal(cid, info.PieceCid);
        Assert.Equal(ZeroComm.Get(6), info.Commitment);
        Assert.Equal(PieceCommitment.Pad(new PaddedPieceSize(2048)), info);
        Assert.Throws<ProofsException>(() => PieceCommitment.FromPieceCid(new PaddedPieceSize(2048), "bnotacid"));
    }

    [Fact]
    public void Commitment_rejects_wrong_lengths_and_bad_hex()
    {
        Assert.Throws<ProofsException>(() => new Commitment(new byte[31]));
        Assert.Throws<ProofsException>(() => Commitment.FromHex("zz"));
        Assert.True(default(Commitment).IsZero);
        Assert.False(ZeroComm.Get(1).IsZero);
    }
}
