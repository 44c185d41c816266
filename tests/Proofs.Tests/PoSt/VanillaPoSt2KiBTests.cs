using System.Security.Cryptography;
using Kiln.Proofs.Merkle;
using Kiln.Proofs.PoSt;
using Kiln.Proofs.Sdr;

namespace Kiln.Proofs.Tests.PoSt;

/// <summary>
/// generate_single_vanilla_proof on the lotus-bench 2 KiB sector (Lotus cmd/lotus-bench/simple.go's example steps):
/// zero randomness, sector 1, the exact Window and Winning bytes, then verification and damage.
/// </summary>
public sealed class VanillaPoSt2KiBTests(LotusBench2KiBSector sector) : IClassFixture<LotusBench2KiBSector>
{
    private static readonly byte[] Zero = new byte[32];

    [Fact]
    public void Sector_files_are_those_of_the_vector()
    {
        Assert.Equal("d75cfa6d30ece5e2d0354a1f855d7fb128e42e84a16a133278fd9ea8b72a8f15", Convert.ToHexStringLower(sector.CommRLast));
        Assert.Equal(32, new FileInfo(CacheFiles.TreeRLast(sector.CacheDir, SectorTreeShape.For(2048), 0)).Length);
        Assert.Equal(64, new FileInfo(Path.Combine(sector.CacheDir, "p_aux")).Length);
    }

    [Fact]
    public void Window_vanilla_proof_is_byte_exact()
    {
        var proof = RegisteredPoStProof.StackedDrgWindow2KiBV1_1;
        var challenges = PoStChallenges.GenerateFallbackSectorChallenges(proof, Zero, [1])[1];

        var bytes = VanillaPoSt.GenerateSingleVanillaProof(sector.Replica(proof), challenges);

        Assert.Equal(5680, bytes.Length);
        Assert.Equal(PoStProofInfo.Get(proof).VanillaProofByteLength, bytes.Length);
        Assert.Equal("2a1def6184097d681ff65e3ad0dcad0d2d619f3efc9be1bc1f4784415763561a", Convert.ToHexStringLower(SHA256.HashData(bytes)));
        Assert.Equal(LotusBench2KiBSector.WindowProof, bytes);
        Assert.True(VanillaPoSt.VerifyVanillaProof(proof, Zero, 1, LotusBench2KiBSector.CommR, bytes, out var failure), failure);
    }

    [Fact]
    public void Winning_vanilla_proof_is_byte_exact()
    {
        var proof = RegisteredPoStProof.StackedDrgWinning2KiBV1;
        var challenges = PoStChallenges.GenerateFallbackSectorChallenges(proof, Zero, [1])[1];

        var bytes = VanillaPoSt.GenerateSingleVanillaProof(sector.Replica(proof), challenges, maxDegreeOfParallelism: 2);

        Assert.Equal(36816, bytes.Length);
        Assert.Equal("5c6720c4438a603ec70d0438943b2f569cc093819b0c7f2d0b4f7dd04033b371", Convert.ToHexStringLower(SHA256.HashData(bytes)));
        Assert.True(VanillaPoSt.VerifyVanillaProof(proof, Zero, 1, LotusBench2KiBSector.CommR, bytes, out var failure), failure);
    }

    [Fact]
    public void Parsed_proof_has_the_layout_and_encodes_to_the_same_bytes()
    {
        var bytes = LotusBench2KiBSector.WindowProof;

        var parsed = FallbackPoStSectorProof.Parse(bytes);

        Assert.Equal(1UL, parsed.SectorId);
        Assert.Equal(LotusBench2KiBSector.CommR, parsed.CommR.ToArray());
        var s = Assert.Single(parsed.Sectors);
        Assert.Equal(LotusBench2KiBSector.CommCHex, Convert.ToHexStringLower(s.CommC.Span));
        Assert.Equal(sector.CommRLast, s.CommRLast.ToArray());
        Assert.Equal([23L, 6, 60, 28, 53, 28, 61, 55, 8, 46], s.InclusionProofs.Select(p => p.LeafIndex));
        Assert.All(s.InclusionProofs, p =>
        {
            Assert.Equal(MerkleProofKind.Single, p.Kind);
            Assert.Equal(2, p.BasePath.Count);
            Assert.Equal(556, MerkleProofBincode.GetByteLength(p));
            Assert.True(p.Verify());
        });
        Assert.Equal(bytes, parsed.ToBytes());

        // Each inclusion proof survives the C1 JSON form too.
        foreach (var p in s.InclusionProofs)
        {
            var json = MerkleProofJson.ToJson(p);
            Assert.Equal(MerkleProofBincode.ToBytes(p), MerkleProofBincode.ToBytes(MerkleProofJson.Parse(json, MerkleHasher.Poseidon)));
        }
    }

    [Fact]
    public void Tampered_proofs_fail_verification()
    {
        var proof = RegisteredPoStProof.StackedDrgWindow2KiBV1_1;
        var good = LotusBench2KiBSector.WindowProof;
        Assert.True(VanillaPoSt.VerifyVanillaProof(proof, Zero, 1, LotusBench2KiBSector.CommR, good));

        // A sibling hash of the first inclusion proof (byte 160 lies in its first path element).
        var sibling = (byte[])good.Clone();
        sibling[160] ^= 1;
        Assert.False(VanillaPoSt.VerifyVanillaProof(proof, Zero, 1, LotusBench2KiBSector.CommR, sibling, out var why));
        Assert.Contains("inclusion proof 0", why, StringComparison.Ordinal);

        // A path index: the proof now proves another leaf.
        var index = (byte[])good.Clone();
        index[56 + 4 + 64 + 8 + 8 + (7 * 32)] ^= 1;
        Assert.False(VanillaPoSt.VerifyVanillaProof(proof, Zero, 1, LotusBench2KiBSector.CommR, index));

        // comm_c at the end.
        var commC = (byte[])good.Clone();
        commC[^40] ^= 1;
        Assert.False(VanillaPoSt.VerifyVanillaProof(proof, Zero, 1, LotusBench2KiBSector.CommR, commC, out why));
        Assert.Contains("comm_c", why, StringComparison.Ordinal);

        // Other randomness, sector or comm_r; a truncated or extended proof; the Winning type.
        var other = (byte[])Zero.Clone();
        other[0] = 1;
        Assert.False(VanillaPoSt.VerifyVanillaProof(proof, other, 1, LotusBench2KiBSector.CommR, good));
        Assert.False(VanillaPoSt.VerifyVanillaProof(proof, Zero, 2, LotusBench2KiBSector.CommR, good));
        Assert.False(VanillaPoSt.VerifyVanillaProof(proof, Zero, 1, sector.CommRLast, good));
        Assert.False(VanillaPoSt.VerifyVanillaProof(proof, Zero, 1, LotusBench2KiBSector.CommR, good[..^1], out why));
        Assert.Contains("ends after", why, StringComparison.Ordinal);
        Assert.False(VanillaPoSt.VerifyVanillaProof(proof, Zero, 1, LotusBench2KiBSector.CommR, good.Append((byte)0).ToArray()));
        Assert.False(VanillaPoSt.VerifyVanillaProof(RegisteredPoStProof.StackedDrgWinning2KiBV1, Zero, 1, LotusBench2KiBSector.CommR, good));

        // Unsafe randomness is a caller error, not a failed proof.
        Assert.Throws<ProofsException>(() => VanillaPoSt.VerifyVanillaProof(proof, Enumerable.Repeat((byte)0xff, 32).ToArray(), 1, LotusBench2KiBSector.CommR, good));
    }

    [Fact]
    public void A_flipped_replica_byte_at_a_challenged_node_fails_generation()
    {
        var proof = RegisteredPoStProof.StackedDrgWindow2KiBV1_1;
        var replica = sector.CopyReplica(proof, "flipped");
        using (var file = File.OpenHandle(replica.ReplicaPath, FileMode.Open, FileAccess.ReadWrite))
        {
            var node = new byte[1];
            RandomAccess.Read(file, node, (23 * 32) + 5);
            node[0] ^= 0x10;
            RandomAccess.Write(file, node, (23 * 32) + 5);
        }

        var e = Assert.Throws<ProofsException>(() => VanillaPoSt.GenerateSingleVanillaProof(replica, [23]));
        Assert.Contains("challenged leaf 23", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_or_inconsistent_files_are_clear_errors()
    {
        var proof = RegisteredPoStProof.StackedDrgWindow2KiBV1_1;

        var truncated = sector.CopyReplica(proof, "truncated-tree");
        var tree = CacheFiles.TreeRLast(truncated.CacheDir, SectorTreeShape.For(2048), 0);
        File.WriteAllBytes(tree, new byte[31]);
        var e = Assert.Throws<ProofsException>(() => VanillaPoSt.GenerateSingleVanillaProof(truncated, [0]));
        Assert.Equal($"tree-r-last file {tree} is 31 bytes, expected 32", e.Message);

        var shortReplica = sector.CopyReplica(proof, "short-replica");
        File.WriteAllBytes(shortReplica.ReplicaPath, new byte[2000]);
        e = Assert.Throws<ProofsException>(() => VanillaPoSt.GenerateSingleVanillaProof(shortReplica, [0]));
        Assert.Equal($"replica file {shortReplica.ReplicaPath} is 2000 bytes, expected at least 2048", e.Message);

        var noTree = sector.CopyReplica(proof, "no-tree");
        File.Delete(CacheFiles.TreeRLast(noTree.CacheDir, SectorTreeShape.For(2048), 0));
        e = Assert.Throws<ProofsException>(() => VanillaPoSt.GenerateSingleVanillaProof(noTree, [0]));
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);

        var noAux = sector.CopyReplica(proof, "no-p_aux");
        File.Delete(Path.Combine(noAux.CacheDir, "p_aux"));
        Assert.Throws<ProofsException>(() => VanillaPoSt.GenerateSingleVanillaProof(noAux, [0]));

        var wrongCommR = sector.Replica(proof) with { CommR = sector.CommRLast };
        e = Assert.Throws<ProofsException>(() => VanillaPoSt.GenerateSingleVanillaProof(wrongCommR, [0]));
        Assert.Contains("Poseidon₂(comm_c, comm_r_last)", e.Message, StringComparison.Ordinal);

        e = Assert.Throws<ProofsException>(() => VanillaPoSt.GenerateSingleVanillaProof(sector.Replica(proof), [64]));
        Assert.Contains("outside the sector", e.Message, StringComparison.Ordinal);
    }
}
