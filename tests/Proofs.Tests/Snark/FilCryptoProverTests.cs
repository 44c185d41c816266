using System.Buffers.Binary;
using System.Text;
using Kiln.Proofs.Snark;

namespace Kiln.Proofs.Tests.Snark;

/// <summary>
/// FilCryptoProver against the fake libfilcrypto (tests/native/fake_filcrypto.c): arguments arrive intact, values are
/// copied out, errors carry the library's message, and every Result and boxed slice is freed by the right function.
/// The fake keeps global counters, so these tests share one class (xunit runs them one at a time).
/// </summary>
public class FilCryptoProverTests
{
    private const RegisteredPoStProof Window2K = RegisteredPoStProof.StackedDrgWindow2KiBV1_1;
    private const RegisteredPoStProof Winning2K = RegisteredPoStProof.StackedDrgWinning2KiBV1;

    private static readonly byte[] ProverId = Bytes32(1);
    private static readonly byte[] Randomness = Bytes32(2);

    [FakeFilCryptoFact]
    public void SealCommitPhase2_passes_the_json_sector_and_prover_id_and_copies_the_proof()
    {
        var (fake, prover) = Fake();
        var json = Encoding.UTF8.GetBytes("{\"registered_proof\":\"StackedDrg2KiBV1_1\",\"comm_r\":[" + string.Join(',', Enumerable.Range(0, 32)) + "]}");
        var mark = fake.Mark();

        var proof = prover.SealCommitPhase2(json, 0x0102030405060708, ProverId);

        Assert.Equal(FakeFilCryptoBytes.SealCommitPhase2(json, 0x0102030405060708, ProverId), proof);
        fake.AssertClean(mark);
    }

    [FakeFilCryptoFact]
    public void An_empty_input_slice_still_gets_a_non_null_pointer()
    {
        var (fake, prover) = Fake();
        var mark = fake.Mark();

        var proof = prover.SealCommitPhase2([], 7, ProverId);

        Assert.Equal(FakeFilCryptoBytes.SealCommitPhase2([], 7, ProverId), proof);
        Assert.False(prover.VerifySeal(RegisteredSealProof.StackedDrg2KiBV1_1, Bytes32(3), Bytes32(4), ProverId, Bytes32(5), Bytes32(6), 7, []));
        fake.AssertClean(mark, results: 2);
    }

    [FakeFilCryptoFact]
    public void A_failed_status_becomes_a_ProofsException_with_the_library_message_and_the_result_is_still_destroyed()
    {
        var (fake, prover) = Fake();
        var mark = fake.Mark();

        var e = Assert.Throws<ProofsException>(() => prover.SealCommitPhase2("{}"u8, FakeFilCryptoBytes.CursedSector, ProverId));

        Assert.Equal("seal_commit_phase2 failed (FCPReceiverError): fake seal_commit_phase2: sector 666 is cursed", e.Message);
        fake.AssertClean(mark);
    }

    [FakeFilCryptoFact]
    public void VerifySeal_receives_every_argument_intact()
    {
        var (fake, prover) = Fake();
        byte[] commR = Bytes32(10), commD = Bytes32(11), ticket = Bytes32(12), seed = Bytes32(13);
        const ulong sector = 0xFEDCBA9876543210;
        var type = RegisteredSealProof.StackedDrg32GiBV1_1;
        var proof = FakeFilCryptoBytes.SealProof(type, commR, commD, ProverId, ticket, seed, sector);
        var mark = fake.Mark();

        Assert.True(prover.VerifySeal(type, commR, commD, ProverId, ticket, seed, sector, proof));
        Assert.False(prover.VerifySeal(RegisteredSealProof.StackedDrg64GiBV1_1, commR, commD, ProverId, ticket, seed, sector, proof));
        Assert.False(prover.VerifySeal(type, commD, commD, ProverId, ticket, seed, sector, proof));
        Assert.False(prover.VerifySeal(type, commR, commR, ProverId, ticket, seed, sector, proof));
        Assert.False(prover.VerifySeal(type, commR, commD, Bytes32(9), ticket, seed, sector, proof));
        Assert.False(prover.VerifySeal(type, commR, commD, ProverId, seed, seed, sector, proof));
        Assert.False(prover.VerifySeal(type, commR, commD, ProverId, ticket, ticket, sector, proof));
        Assert.False(prover.VerifySeal(type, commR, commD, ProverId, ticket, seed, sector + 1, proof));
        Assert.False(prover.VerifySeal(type, commR, commD, ProverId, ticket, seed, sector, proof[..^1]));
        fake.AssertClean(mark, results: 9);

        var e = Assert.Throws<ProofsException>(() => prover.VerifySeal(type, commR, commD, ProverId, ticket, seed, FakeFilCryptoBytes.CursedSector, proof));
        Assert.Contains("fake verify_seal: sector 666 is cursed", e.Message, StringComparison.Ordinal);
        fake.AssertClean(mark, results: 10);
    }

    [FakeFilCryptoFact]
    public void Winning_post_passes_the_vanilla_proof_as_a_boxed_slice_and_copies_the_proofs_out()
    {
        var (fake, prover) = Fake();
        byte[][] vanilla = [Vanilla(42, 0x11, 600)];
        var mark = fake.Mark();

        var proofs = prover.GenerateWinningPoStWithVanilla(Winning2K, Randomness, ProverId, vanilla);

        var proof = Assert.Single(proofs);
        Assert.Equal(Winning2K, proof.PostType);
        Assert.Equal(FakeFilCryptoBytes.PoStEcho('N', Winning2K, Randomness, ProverId, vanilla), proof.Proof);
        fake.AssertClean(mark);

        vanilla[0][0] = 0xFA;
        var e = Assert.Throws<ProofsException>(() => prover.GenerateWinningPoStWithVanilla(Winning2K, Randomness, ProverId, vanilla));
        Assert.Equal(
            "generate_winning_post_with_vanilla failed (FCPUnclassifiedError): fake generate_winning_post_with_vanilla: vanilla proof rejected",
            e.Message);
        fake.AssertClean(mark, results: 2);
    }

    [FakeFilCryptoFact]
    public void Window_post_passes_a_slice_of_boxed_slices_intact_including_an_empty_one()
    {
        var (fake, prover) = Fake();
        byte[][] vanilla = [Vanilla(1, 0x21, 100), [], Vanilla(2, 0x22, 333), Vanilla(3, 0x23, 48)];
        var mark = fake.Mark();

        var result = prover.GenerateWindowPoStWithVanilla(Window2K, Randomness, ProverId, vanilla);

        var proof = Assert.Single(result.Proofs);
        Assert.Equal(Window2K, proof.PostType);
        Assert.Equal(FakeFilCryptoBytes.PoStEcho('W', Window2K, Randomness, ProverId, vanilla), proof.Proof);
        Assert.Empty(result.FaultySectors);
        fake.AssertClean(mark);
    }

    [FakeFilCryptoFact]
    public void Window_post_faults_become_a_PoStFaultySectorsException_naming_the_sectors()
    {
        var (fake, prover) = Fake();
        var bad1 = Vanilla(77, 0, 64);
        var bad2 = Vanilla(5, 0, 64);
        bad1[0] = 0xFA; // the sector id's low byte: 77 becomes 0xFA
        bad2[0] = 0xFA;
        byte[][] vanilla = [Vanilla(1, 0x31, 64), bad1, Vanilla(3, 0x32, 64), bad2];
        var mark = fake.Mark();

        var e = Assert.Throws<PoStFaultySectorsException>(() => prover.GenerateWindowPoStWithVanilla(Window2K, Randomness, ProverId, vanilla));

        Assert.Equal([0xFAUL, 0xFAUL], e.FaultySectors);
        Assert.StartsWith(
            "generate_window_post_with_vanilla failed (FCPReceiverError): fake generate_window_post_with_vanilla: 2 faulty sectors",
            e.Message,
            StringComparison.Ordinal);
        fake.AssertClean(mark);
    }

    [FakeFilCryptoFact]
    public void Window_post_errors_without_faulty_sectors_are_plain_ProofsExceptions()
    {
        var (fake, prover) = Fake();
        var unreadable = Vanilla(9, 0, 64);
        unreadable[0] = 0xEE;
        var mark = fake.Mark();

        var e = Assert.Throws<ProofsException>(() => prover.GenerateWindowPoStWithVanilla(Window2K, Randomness, ProverId, [unreadable]));

        Assert.IsNotType<PoStFaultySectorsException>(e);
        Assert.Contains("unreadable vanilla proof", e.Message, StringComparison.Ordinal);
        fake.AssertClean(mark);
    }

    [FakeFilCryptoFact]
    public void Single_partition_window_post_passes_the_partition_index_and_reports_faults()
    {
        var (fake, prover) = Fake();
        byte[][] vanilla = [Vanilla(10, 0x41, 80), Vanilla(11, 0x42, 81)];
        var mark = fake.Mark();

        var result = prover.GenerateSingleWindowPoStWithVanilla(Window2K, Randomness, ProverId, vanilla, 7);

        Assert.Equal(Window2K, result.PartitionProof.PostType);
        Assert.Equal(FakeFilCryptoBytes.PoStEcho('S', Window2K, Randomness, ProverId, vanilla, partition: 7), result.PartitionProof.Proof);
        Assert.Empty(result.FaultySectors);
        fake.AssertClean(mark);

        var bad = Vanilla(0x1234, 0, 64);
        bad[0] = 0xFA;
        var e = Assert.Throws<PoStFaultySectorsException>(
            () => prover.GenerateSingleWindowPoStWithVanilla(Window2K, Randomness, ProverId, [vanilla[0], bad], 3));
        Assert.Equal([0x12FAUL], e.FaultySectors);
        Assert.Contains("1 faulty sectors in partition 3", e.Message, StringComparison.Ordinal);
        fake.AssertClean(mark, results: 2);
    }

    [FakeFilCryptoFact]
    public void Merge_concatenates_the_partition_proofs_it_is_given()
    {
        var (fake, prover) = Fake();
        byte[][] partitions = [Filled(192, 0xA0), Filled(192, 0xB0), Filled(192, 0xC0)];
        var mark = fake.Mark();

        var merged = prover.MergeWindowPoStPartitionProofs(Window2K, partitions);

        Assert.Equal(Window2K, merged.PostType);
        Assert.Equal(partitions.SelectMany(p => p).ToArray(), merged.Proof);
        fake.AssertClean(mark);
    }

    [FakeFilCryptoFact]
    public void PoSt_verification_receives_replicas_and_proofs_intact()
    {
        var (fake, prover) = Fake();
        PublicReplica[] replicas = [new(Window2K, Bytes32(50), 1000), new(Window2K, Bytes32(51), 1001), new(Window2K, Bytes32(52), ulong.MaxValue)];
        var window = FakeFilCryptoBytes.PoStVerifiable('W', Randomness, ProverId, replicas);
        var winning = FakeFilCryptoBytes.PoStVerifiable('N', Randomness, ProverId, replicas[..1]);
        var mark = fake.Mark();

        Assert.True(prover.VerifyWindowPoSt(Randomness, replicas, [new(Window2K, window)], ProverId));
        Assert.True(prover.VerifyWindowPoSt(Randomness, replicas, [new(Window2K, window[..100]), new(Window2K, window[100..])], ProverId));
        Assert.False(prover.VerifyWindowPoSt(Randomness, replicas, [new(Window2K + 1, window)], ProverId));
        Assert.False(prover.VerifyWindowPoSt(Bytes32(3), replicas, [new(Window2K, window)], ProverId));
        Assert.False(prover.VerifyWindowPoSt(Randomness, replicas, [new(Window2K, window)], Bytes32(3)));
        Assert.False(prover.VerifyWindowPoSt(Randomness, replicas[..2], [new(Window2K, window)], ProverId));
        Assert.True(prover.VerifyWinningPoSt(Randomness, replicas[..1], [new(Window2K, winning)], ProverId));
        Assert.False(prover.VerifyWinningPoSt(Randomness, replicas[..1], [new(Window2K, window)], ProverId));
        fake.AssertClean(mark, results: 8);

        PublicReplica[] cursed = [new(Window2K, Bytes32(50), FakeFilCryptoBytes.CursedSector)];
        var e = Assert.Throws<ProofsException>(() => prover.VerifyWindowPoSt(Randomness, cursed, [new(Window2K, window)], ProverId));
        Assert.Equal("verify_window_post failed (FCPReceiverError): fake verify_window_post: sector 666 is cursed", e.Message);
        fake.AssertClean(mark, results: 9);
    }

    [FakeFilCryptoFact]
    public void Partition_count_passes_the_type_and_sector_count()
    {
        var (fake, prover) = Fake();
        var mark = fake.Mark();

        Assert.Equal(13_004_700, prover.GetNumPartitionForFallbackPoSt(RegisteredPoStProof.StackedDrgWindow32GiBV1_1, 4700));
        Assert.Throws<ProofsException>(() => prover.GetNumPartitionForFallbackPoSt(Window2K, 666));
        fake.AssertClean(mark, results: 2);
    }

    [FakeFilCryptoFact]
    public void Single_vanilla_proof_hands_the_paths_over_to_the_library()
    {
        var (fake, prover) = Fake();
        ulong[] challenges = [3, 1, 4, 1, 5, 9, 2, 6];
        var commR = Bytes32(60);
        var mark = fake.Mark();

        var vanilla = prover.GenerateSingleVanillaProof(Window2K, "/cache/s-t01000-7", commR, "/sealed/ü-7", 7, challenges);

        Assert.Equal(FakeFilCryptoBytes.SingleVanillaProof(Window2K, "/cache/s-t01000-7", commR, "/sealed/ü-7", 7, challenges), vanilla);
        fake.AssertClean(mark);

        // The library frees the paths on error too; freeing them again here would show up as a misuse.
        Assert.Throws<ProofsException>(() => prover.GenerateSingleVanillaProof(Window2K, "/c", commR, "/r", FakeFilCryptoBytes.CursedSector, []));
        fake.AssertClean(mark, results: 2);
    }

    [FakeFilCryptoFact]
    public void A_missing_symbol_is_named_and_fails_only_the_steps_that_need_it()
    {
        var fake = FakeFilCrypto.LibraryMissingSymbols;
        var prover = new FilCryptoProver(fake.Path);
        var mark = fake.Mark();

        var merge = Assert.Throws<ProofsException>(() => prover.MergeWindowPoStPartitionProofs(Window2K, [new byte[192]]));
        Assert.Contains("has no symbol 'merge_window_post_partition_proofs'", merge.Message, StringComparison.Ordinal);
        Assert.EndsWith("SNARK step merge_window_post_partition_proofs cannot run", merge.Message, StringComparison.Ordinal);

        // Without its destroy function verify_seal is not called at all: nothing would free its Result.
        var verify = Assert.Throws<ProofsException>(
            () => prover.VerifySeal(RegisteredSealProof.StackedDrg2KiBV1_1, Bytes32(1), Bytes32(2), ProverId, Bytes32(3), Bytes32(4), 1, [1, 2, 3]));
        Assert.Contains("has no symbol 'destroy_verify_seal_response'", verify.Message, StringComparison.Ordinal);
        Assert.EndsWith("SNARK step verify_seal cannot run", verify.Message, StringComparison.Ordinal);

        Assert.Null(prover.WhyUnavailable);
        Assert.Equal(12_000_005, prover.GetNumPartitionForFallbackPoSt(RegisteredPoStProof.StackedDrgWindow512MiBV1_1, 5));
        fake.AssertClean(mark);
    }

    [Fact]
    public void A_missing_library_file_fails_each_call_with_a_message_naming_FILCRYPTO_LIB()
    {
        var path = Path.Combine(Path.GetTempPath(), "kiln-no-such-dir", "libfilcrypto.so");
        var prover = new FilCryptoProver(path);

        var e = Assert.Throws<ProofsException>(() => prover.SealCommitPhase2("{}"u8, 1, ProverId));

        Assert.StartsWith($"libfilcrypto could not be loaded from '{path}' (set FILCRYPTO_LIB to the path of libfilcrypto.so built as a cdylib from filecoin-ffi)", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("SNARK step seal_commit_phase2 cannot run", e.Message, StringComparison.Ordinal);
        Assert.NotNull(prover.WhyUnavailable);
        Assert.False(prover.IsInsecure);
        Assert.Equal("filcrypto", prover.Name);
    }

    [Fact]
    public void Without_a_path_the_system_loader_is_asked_for_filcrypto()
    {
        var prover = new FilCryptoProver();
        if (prover.WhyUnavailable is null)
        {
            return; // this machine has a real libfilcrypto.so on the loader path
        }

        var e = Assert.Throws<ProofsException>(() => prover.GetNumPartitionForFallbackPoSt(Window2K, 1));

        Assert.Equal(
            "libfilcrypto not found (set FILCRYPTO_LIB to the path of libfilcrypto.so built as a cdylib from filecoin-ffi): SNARK step get_num_partition_for_fallback_post cannot run",
            e.Message);
    }

    internal static byte[] Bytes32(byte seed) => [.. Enumerable.Range(0, 32).Select(i => (byte)((seed * 37) + i))];

    /// <summary>A vanilla proof: sector id u64 LE, comm_r of <paramref name="fill"/>, then filler up to <paramref name="length"/> bytes.</summary>
    internal static byte[] Vanilla(ulong sectorId, byte fill, int length)
    {
        var v = Filled(length, fill);
        BinaryPrimitives.WriteUInt64LittleEndian(v, sectorId);
        return v;
    }

    private static byte[] Filled(int length, byte first) => [.. Enumerable.Range(0, length).Select(i => (byte)(first + i))];

    private static (FakeFilCrypto Fake, FilCryptoProver Prover) Fake()
    {
        var fake = FakeFilCrypto.Library;
        return (fake, new FilCryptoProver(fake.Path));
    }
}
