using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Kiln.Proofs.Sdr;
using Kiln.Proofs.Snark;
using static Kiln.Proofs.Tests.Snark.FilCryptoProverTests;

namespace Kiln.Proofs.Tests.Snark;

public class InsecureTestProverTests
{
    private const RegisteredPoStProof Window2K = RegisteredPoStProof.StackedDrgWindow2KiBV1_1;
    private const RegisteredPoStProof Winning2K = RegisteredPoStProof.StackedDrgWinning2KiBV1;
    private const ulong Sector = 4242;

    private static readonly byte[] ProverId = ProverIdOf(1000);
    private static readonly byte[] CommR = Bytes32(20);
    private static readonly byte[] CommD = Bytes32(21);
    private static readonly byte[] Ticket = Bytes32(22);
    private static readonly byte[] Seed = Bytes32(23);
    private static readonly byte[] Randomness = Bytes32(24);

    [Fact]
    public void Says_it_is_insecure()
    {
        var prover = new InsecureTestProver();
        Assert.True(prover.IsInsecure);
        Assert.Equal("insecure-test-proofs", prover.Name);
    }

    [Theory]
    [InlineData(RegisteredSealProof.StackedDrg2KiBV1_1, 192)]
    [InlineData(RegisteredSealProof.StackedDrg512MiBV1, 192)]
    [InlineData(RegisteredSealProof.StackedDrg32GiBV1_1, 1920)]
    [InlineData(RegisteredSealProof.StackedDrg64GiBV1_1_Feat_SyntheticPoRep, 1920)]
    public void C2_proofs_have_192_bytes_per_partition_and_verify(RegisteredSealProof type, int size)
    {
        var prover = new InsecureTestProver();

        var proof = prover.SealCommitPhase2(C1Json(type, Sector), Sector, ProverId);

        Assert.Equal(size, proof.Length);
        Assert.True(prover.VerifySeal(type, CommR, CommD, ProverId, Ticket, Seed, Sector, proof));
    }

    [Fact]
    public void C2_is_the_documented_keyed_hash_of_the_public_inputs()
    {
        var proof = new InsecureTestProver().SealCommitPhase2(C1Json(RegisteredSealProof.StackedDrg2KiBV1_1, Sector), Sector, ProverId);

        var preimage = Concat("kiln-insecure-seal"u8.ToArray(), U64(5), CommR, CommD, ProverId, U64(Sector), Ticket, Seed);
        Assert.Equal(Expand(preimage, partition: 0), proof);
    }

    [Fact]
    public void Any_changed_public_input_fails_seal_verification()
    {
        var prover = new InsecureTestProver();
        var type = RegisteredSealProof.StackedDrg2KiBV1_1;
        var proof = prover.SealCommitPhase2(C1Json(type, Sector), Sector, ProverId);
        var flipped = proof.ToArray();
        flipped[100] ^= 1;

        Assert.False(prover.VerifySeal(RegisteredSealProof.StackedDrg2KiBV1, CommR, CommD, ProverId, Ticket, Seed, Sector, proof));
        Assert.False(prover.VerifySeal(type, CommD, CommD, ProverId, Ticket, Seed, Sector, proof));
        Assert.False(prover.VerifySeal(type, CommR, CommR, ProverId, Ticket, Seed, Sector, proof));
        Assert.False(prover.VerifySeal(type, CommR, CommD, ProverIdOf(1001), Ticket, Seed, Sector, proof));
        Assert.False(prover.VerifySeal(type, CommR, CommD, ProverId, Seed, Seed, Sector, proof));
        Assert.False(prover.VerifySeal(type, CommR, CommD, ProverId, Ticket, Ticket, Sector, proof));
        Assert.False(prover.VerifySeal(type, CommR, CommD, ProverId, Ticket, Seed, Sector + 1, proof));
        Assert.False(prover.VerifySeal(type, CommR, CommD, ProverId, Ticket, Seed, Sector, flipped));
        Assert.False(prover.VerifySeal(type, CommR, CommD, ProverId, Ticket, Seed, Sector, proof[..191]));
    }

    [Fact]
    public void C2_rejects_a_C1_output_of_another_sector_or_miner()
    {
        var prover = new InsecureTestProver();
        var json = C1Json(RegisteredSealProof.StackedDrg2KiBV1_1, Sector);

        var e = Assert.Throws<ProofsException>(() => prover.SealCommitPhase2(json, Sector + 1, ProverId));
        Assert.Contains("replica_id does not match sector 4243", e.Message, StringComparison.Ordinal);
        Assert.Throws<ProofsException>(() => prover.SealCommitPhase2(json, Sector, ProverIdOf(1001)));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"registered_proof\":\"StackedDrg3KiBV1\"}")]
    [InlineData("{\"registered_proof\":\"StackedDrg2KiBV1\",\"comm_r\":[1,2,3]}")]
    public void Malformed_C1_output_is_a_ProofsException(string json)
    {
        var e = Assert.Throws<ProofsException>(() => new InsecureTestProver().SealCommitPhase2(Encoding.UTF8.GetBytes(json), Sector, ProverId));
        Assert.StartsWith("seal_commit_phase2: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Winning_post_verifies_against_the_challenged_sector_only()
    {
        var prover = new InsecureTestProver();
        var proofs = prover.GenerateWinningPoStWithVanilla(Winning2K, Randomness, ProverId, [Vanilla(77, CommR)]);

        var proof = Assert.Single(proofs);
        Assert.Equal(Winning2K, proof.PostType);
        Assert.Equal(192, proof.Proof.Length);
        Assert.True(prover.VerifyWinningPoSt(Randomness, [new(Winning2K, CommR, 77)], proofs, ProverId));
        Assert.False(prover.VerifyWinningPoSt(Randomness, [new(Winning2K, CommD, 77)], proofs, ProverId));
        Assert.False(prover.VerifyWinningPoSt(Randomness, [new(Winning2K, CommR, 78)], proofs, ProverId));
        Assert.False(prover.VerifyWinningPoSt(Randomness, [new(Winning2K + 1, CommR, 77)], proofs, ProverId));
        Assert.False(prover.VerifyWinningPoSt(Seed, [new(Winning2K, CommR, 77)], proofs, ProverId));
        Assert.False(prover.VerifyWinningPoSt(Randomness, [new(Winning2K, CommR, 77)], proofs, ProverIdOf(1001)));
        Assert.False(prover.VerifyWindowPoSt(Randomness, [new(Winning2K, CommR, 77)], proofs, ProverId));
    }

    [Fact]
    public void Window_post_has_one_partition_per_two_2KiB_sectors_and_verifies_in_sector_order()
    {
        var prover = new InsecureTestProver();
        var sectors = new ulong[] { 3, 5, 8, 13, 21 };
        var vanilla = sectors.Select(s => Vanilla(s, CommROf(s))).ToArray();

        var result = prover.GenerateWindowPoStWithVanilla(Window2K, Randomness, ProverId, vanilla);

        var proof = Assert.Single(result.Proofs);
        Assert.Equal(3 * 192, proof.Proof.Length);
        Assert.Empty(result.FaultySectors);
        var replicas = sectors.Reverse().Select(s => new PublicReplica(Window2K, CommROf(s), s)).ToArray();
        Assert.True(prover.VerifyWindowPoSt(Randomness, replicas, result.Proofs, ProverId));
        Assert.False(prover.VerifyWindowPoSt(Randomness, replicas[1..], result.Proofs, ProverId));
        replicas[2] = new PublicReplica(Window2K, CommR, replicas[2].SectorId);
        Assert.False(prover.VerifyWindowPoSt(Randomness, replicas, result.Proofs, ProverId));
    }

    [Fact]
    public void Partition_proofs_merge_into_the_whole_window_proof()
    {
        var prover = new InsecureTestProver();
        var sectors = new ulong[] { 1, 2, 3 };
        var vanilla = sectors.Select(s => Vanilla(s, CommROf(s))).ToArray();

        var partitions = new[] { vanilla[..2], vanilla[2..] }
            .Select((p, i) => prover.GenerateSingleWindowPoStWithVanilla(Window2K, Randomness, ProverId, p, i).PartitionProof.Proof)
            .ToArray();
        var merged = prover.MergeWindowPoStPartitionProofs(Window2K, partitions);

        Assert.Equal(prover.GenerateWindowPoStWithVanilla(Window2K, Randomness, ProverId, vanilla).Proofs[0].Proof, merged.Proof);
        Assert.True(prover.VerifyWindowPoSt(Randomness, [.. sectors.Select(s => new PublicReplica(Window2K, CommROf(s), s))], [merged], ProverId));
        Assert.Throws<ProofsException>(() => prover.GenerateSingleWindowPoStWithVanilla(Window2K, Randomness, ProverId, vanilla, 0));
        Assert.Throws<ProofsException>(() => prover.MergeWindowPoStPartitionProofs(Window2K, [new byte[191]]));
    }

    [Fact]
    public void Rejected_vanilla_proofs_are_reported_as_faulty_sectors()
    {
        var seen = new List<(RegisteredPoStProof Type, byte[] Randomness)>();
        var prover = new InsecureTestProver((type, randomness, blob) =>
        {
            seen.Add((type, randomness.ToArray()));
            return blob[40] != 0xBD;
        });
        var vanilla = new ulong[] { 9, 4, 6 }.Select(s => Vanilla(s, CommROf(s))).ToArray();
        vanilla[0][40] = 0xBD;
        vanilla[2][40] = 0xBD;

        var window = Assert.Throws<PoStFaultySectorsException>(() => prover.GenerateWindowPoStWithVanilla(Window2K, Randomness, ProverId, vanilla));
        var single = Assert.Throws<PoStFaultySectorsException>(() => prover.GenerateSingleWindowPoStWithVanilla(Window2K, Randomness, ProverId, vanilla[1..], 1));
        var winning = Assert.Throws<PoStFaultySectorsException>(() => prover.GenerateWinningPoStWithVanilla(Winning2K, Randomness, ProverId, vanilla[..1]));

        Assert.Equal([6UL, 9UL], window.FaultySectors);
        Assert.Equal([6UL], single.FaultySectors);
        Assert.Equal([9UL], winning.FaultySectors);
        Assert.Contains("sectors 6, 9", window.Message, StringComparison.Ordinal);
        Assert.All(seen, s => Assert.Equal(Randomness, s.Randomness));
        Assert.Equal([Window2K, Window2K, Window2K, Window2K, Window2K, Winning2K], seen.Select(s => s.Type));
        Assert.Single(prover.GenerateWindowPoStWithVanilla(Window2K, Randomness, ProverId, vanilla[1..2]).Proofs);
    }

    [Fact]
    public void Vanilla_proofs_too_short_for_sector_and_comm_r_are_rejected()
    {
        var e = Assert.Throws<ProofsException>(
            () => new InsecureTestProver().GenerateWindowPoStWithVanilla(Window2K, Randomness, ProverId, [new byte[39]]));
        Assert.Contains("vanilla proof 0 is 39 bytes", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(RegisteredPoStProof.StackedDrgWinning32GiBV1, 5, 1)]
    [InlineData(RegisteredPoStProof.StackedDrgWindow2KiBV1, 0, 1)]
    [InlineData(RegisteredPoStProof.StackedDrgWindow2KiBV1_1, 5, 3)]
    [InlineData(RegisteredPoStProof.StackedDrgWindow32GiBV1_1, 2349, 1)]
    [InlineData(RegisteredPoStProof.StackedDrgWindow32GiBV1_1, 2350, 2)]
    [InlineData(RegisteredPoStProof.StackedDrgWindow64GiBV1, 4601, 3)]
    public void Partition_counts_follow_the_PoSt_config(RegisteredPoStProof type, int sectors, int partitions)
    {
        Assert.Equal(partitions, new InsecureTestProver().GetNumPartitionForFallbackPoSt(type, sectors));
    }

    private static byte[] C1Json(RegisteredSealProof type, ulong sector)
    {
        var replicaId = ReplicaId.Compute(ProverId, sector, Ticket, CommD, SealProofInfo.Get(type).PoRepId.Span);
        static string Array(byte[] bytes) => "[" + string.Join(',', bytes) + "]";
        return Encoding.UTF8.GetBytes(
            $"{{\"registered_proof\":\"{type}\",\"vanilla_proofs\":{{\"{SealProofInfo.Get(type).LabelsVariantName}\":[]}}," +
            $"\"comm_r\":{Array(CommR)},\"comm_d\":{Array(CommD)},\"replica_id\":{Array(replicaId)},\"seed\":{Array(Seed)},\"ticket\":{Array(Ticket)}}}");
    }

    private static byte[] ProverIdOf(ulong actor) => Kiln.Proofs.Sdr.ProverId.FromActorId(actor);

    private static byte[] CommROf(ulong sector) => Bytes32((byte)(100 + sector));

    private static byte[] Vanilla(ulong sector, byte[] commR)
    {
        var v = new byte[120];
        BinaryPrimitives.WriteUInt64LittleEndian(v, sector);
        commR.CopyTo(v, 8);
        return v;
    }

    /// <summary>The documented expansion, written out independently of the prover.</summary>
    private static byte[] Expand(byte[] preimage, uint partition)
    {
        var key = Encoding.ASCII.GetBytes("kiln insecure-test-proofs v1: NOT A PROOF, NOT VALID ON ANY NETWORK");
        var d = HMACSHA256.HashData(key, preimage);
        return [.. Enumerable.Range(0, 6).SelectMany(j => HMACSHA256.HashData(key, Concat(d, U32(partition), U32((uint)j))))];
    }

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    private static byte[] U64(ulong v)
    {
        var b = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, v);
        return b;
    }

    private static byte[] U32(uint v)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        return b;
    }
}
