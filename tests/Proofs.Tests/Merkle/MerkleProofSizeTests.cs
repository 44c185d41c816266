using Kiln.Proofs.Merkle;
using Kiln.Proofs.PoSt;

namespace Kiln.Proofs.Tests.Merkle;

/// <summary>Inclusion-proof and vanilla-proof sizes per sector shape (filecoin-proofs constants.rs <c>SectorShape*</c>), from the
/// bincode layout.</summary>
public class MerkleProofSizeTests
{
    [Theory]
    [InlineData(2UL << 10, 556)]
    [InlineData(4UL << 10, 612)]
    [InlineData(16UL << 10, 804)]
    [InlineData(32UL << 10, 860)]
    [InlineData(8UL << 20, 1516)]
    [InlineData(16UL << 20, 1572)]
    [InlineData(512UL << 20, 1996)]
    [InlineData(1UL << 30, 2052)]
    [InlineData(32UL << 30, 2484)]
    [InlineData(64UL << 30, 2540)]
    public void Inclusion_proof_bytes_per_shape(ulong sectorSize, int bytes)
        => Assert.Equal(bytes, MerkleProofBincode.GetByteLength(SectorTreeShape.For(sectorSize)));

    [Theory]
    [InlineData(RegisteredPoStProof.StackedDrgWindow32GiBV1_1, 24960)]
    [InlineData(RegisteredPoStProof.StackedDrgWinning32GiBV1, 164064)]
    [InlineData(RegisteredPoStProof.StackedDrgWindow2KiBV1_1, 5680)]
    [InlineData(RegisteredPoStProof.StackedDrgWinning2KiBV1, 36816)]
    [InlineData(RegisteredPoStProof.StackedDrgWindow64GiBV1, 120 + (10 * 2540))]
    public void Vanilla_proof_bytes(RegisteredPoStProof proof, int bytes)
        => Assert.Equal(bytes, PoStProofInfo.Get(proof).VanillaProofByteLength);

    [Fact]
    public void Sizes_follow_the_encoding_of_a_proof_of_that_layout()
    {
        // A 64 GiB-shaped proof (10 base levels, sub 8, top 2) built from zero nodes encodes to 2 540 bytes.
        var path = new InclusionPath([.. Enumerable.Range(0, 9).Select(_ => new PathElement(new byte[7 * 32], 3))]);
        var proof = new MerkleProof(MerkleHasher.Poseidon, new byte[32], new byte[32], path, new InclusionPath([new PathElement(new byte[7 * 32], 5)]), new InclusionPath([new PathElement(new byte[32], 1)]));

        Assert.Equal(2540, MerkleProofBincode.ToBytes(proof).Length);
        Assert.Equal(MerkleProofBincode.GetByteLength(SectorTreeShape.For(64UL << 30)), MerkleProofBincode.GetByteLength(proof));
        Assert.Equal(MerkleProofKind.Top, proof.Kind);
        Assert.Equal(11, proof.PathLength);
        Assert.Equal((3 * (((1L << 27) - 1) / 7)) + ((5 + (8 * 1)) * (1L << 27)), proof.LeafIndex);
    }
}
