using Kiln.Proofs.Pieces;

namespace Kiln.Proofs.Tests.Pieces;

public class PieceAlignmentTests
{
    [Theory]
    [InlineData(0UL, 0UL, 0UL, 127UL)]
    [InlineData(0UL, 127UL, 0UL, 0UL)]
    [InlineData(0UL, 254UL, 0UL, 0UL)]
    [InlineData(0UL, 508UL, 0UL, 0UL)]
    [InlineData(0UL, 1016UL, 0UL, 0UL)]
    [InlineData(127UL, 127UL, 0UL, 0UL)]
    [InlineData(127UL, 254UL, 127UL, 0UL)]
    [InlineData(127UL, 508UL, 381UL, 0UL)]
    [InlineData(100UL, 100UL, 27UL, 27UL)]
    [InlineData(200UL, 200UL, 54UL, 54UL)]
    [InlineData(300UL, 300UL, 208UL, 208UL)]
    public void Get_matches_the_upstream_table(ulong written, ulong piece, ulong left, ulong right)
    {
        Assert.Equal((left, right), PieceAlignment.Get(written, piece));
    }

    [Fact]
    public void StartByte_matches_upstream()
    {
        ulong[] pieces = [31, 32, 33];

        Assert.Equal(0UL, PieceAlignment.StartByte(pieces[..0], pieces[0]));
        Assert.Equal(127UL, PieceAlignment.StartByte(pieces[..1], pieces[1]));
        Assert.Equal(254UL, PieceAlignment.StartByte(pieces[..2], pieces[2]));
    }

    [Fact]
    public void Ffi_workflow_alignment_after_a_127_byte_piece()
    {
        var (left, right) = PieceAlignment.Get(PieceAlignment.SumWithAlignment([127]), 1016);

        Assert.Equal(889UL, left);
        Assert.Equal(1905UL, left + 1016 + right);
    }

    [Theory]
    [InlineData(0UL, 1024UL, new ulong[0])]
    [InlineData(128UL, 512UL, new ulong[] { 128, 256 })]
    [InlineData(384UL, 512UL, new ulong[] { 128 })]
    [InlineData(1024UL, 256UL, new ulong[0])]
    [InlineData(128UL, 2048UL, new ulong[] { 128, 256, 512, 1024 })]
    [InlineData(640UL, 2048UL, new ulong[] { 128, 256, 1024 })]
    public void GetRequiredPadding_lists_set_bits_smallest_first(ulong oldLength, ulong newLength, ulong[] expected)
    {
        var pads = AddPiece.GetRequiredPadding(new PaddedPieceSize(oldLength), new PaddedPieceSize(newLength));

        Assert.Equal(expected, pads.Select(p => p.Value).ToArray());
    }
}
