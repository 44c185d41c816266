using Kiln.Api.Chain;
using Kiln.Api.Types;
using Kiln.Proofs;

namespace Kiln.Api.Tests.Chain;

/// <summary>
/// The Window PoSt and fault-declaration params as go-state-types builtin/v16/miner/cbor_gen.go encodes them
/// (<c>SubmitWindowedPoStParams</c>, <c>PoStPartition</c>, <c>DeclareFaultsParams</c>, <c>FaultDeclaration</c>,
/// <c>DeclareFaultsRecoveredParams</c>, <c>RecoveryDeclaration</c>; proof.PoStProof from go-state-types
/// proof/cbor_gen.go). Each expected encoding is written by hand, one CBOR head per field, from the generated
/// <c>MarshalCBOR</c>. Bitfields are go-bitfield RLE+ (2-bit version 0, the first run's value, then runs: "1" for a
/// length of 1, "01" + 4 bits for 2..15, bits packed least significant first).
/// </summary>
public sealed class PoStParamsTests
{
    private static readonly byte[] Rand = [.. Enumerable.Range(0, 32).Select(i => (byte)(0xa0 + i))];

    // {3}: version 00, first run absent (0), run 3 = "01" + 0011 (LSB first 1100), run 1 = "1" →
    // bits 0 0 0 0 1 1 1 0 | 0 1 → 0x70 0x02.
    private const string SectorThreeRle = "7002";

    // {0}: version 00, first run present (1), run 1 = "1" → bits 0 0 1 1 → 0x0c.
    private const string SectorZeroRle = "0c";

    private static readonly SubmitWindowedPoStParams TwoPartitions = new(
        7,
        [new PoStPartition(0, BitField.Empty), new PoStPartition(3, BitField.FromSet([3]))],
        [new PoStProof(RegisteredPoStProof.StackedDrgWindow2KiBV1_1, [0xaa, 0xbb, 0xcc])],
        1234,
        Rand);

    private static readonly string TwoPartitionsCbor = string.Concat(
        "85", // SubmitWindowedPoStParams: array(5)
        "07", //  Deadline 7 (uint64)
        "82", //  Partitions: array(2)
        "82" + "00" + "40", //   [0] PoStPartition: array(2), Index 0, Skipped: empty byte string (empty bitfield)
        "82" + "03" + "42" + SectorThreeRle, //   [1] array(2), Index 3, Skipped: byte string(2) RLE+ of {3}
        "81", //  Proofs: array(1)
        "82" + "0a" + "43" + "aabbcc", //   [0] proof.PoStProof: array(2), PoStProof 10 (Window 2KiB V1_1), ProofBytes: byte string(3)
        "1904d2", //  ChainCommitEpoch 1234: uint16 follows
        "5820") // ChainCommitRand: byte string(32) (one-byte length head)
        + Convert.ToHexStringLower(Rand);

    private static readonly DeclareFaultsParams TwoFaults = new(
    [
        new FaultDeclaration(5, 2, BitField.FromSet([0])),
        new FaultDeclaration(47, 0, BitField.FromSet([3])),
    ]);

    private static readonly string TwoFaultsCbor = string.Concat(
        "81", // DeclareFaultsParams: array(1)
        "82", //  Faults: array(2)
        "83" + "05" + "02" + "41" + SectorZeroRle, //   [0] FaultDeclaration: array(3), Deadline 5, Partition 2, Sectors: byte string(1) {0}
        "83" + "182f" + "00" + "42" + SectorThreeRle); //   [1] array(3), Deadline 47 (uint8 follows), Partition 0, Sectors {3}

    private static readonly DeclareFaultsRecoveredParams TwoRecoveries = new(
    [
        new RecoveryDeclaration(5, 2, BitField.FromSet([0])),
        new RecoveryDeclaration(47, 0, BitField.FromSet([3])),
    ]);

    [Fact]
    public void Bitfields_encode_as_go_bitfield_rle_plus()
    {
        var w = ChainCbor.NewWriter();
        ChainCbor.WriteBitField(w, BitField.FromSet([3]));
        Assert.Equal("42" + SectorThreeRle, Convert.ToHexStringLower(w.Encode()));
        w = ChainCbor.NewWriter();
        ChainCbor.WriteBitField(w, BitField.FromSet([0]));
        Assert.Equal("41" + SectorZeroRle, Convert.ToHexStringLower(w.Encode()));
    }

    [Fact]
    public void SubmitWindowedPoStParams_encodes_as_cbor_gen()
    {
        Assert.Equal(TwoPartitionsCbor, Convert.ToHexStringLower(TwoPartitions.ToCbor()));
        var back = SubmitWindowedPoStParams.FromCbor(Convert.FromHexString(TwoPartitionsCbor));
        Assert.Equal(TwoPartitions, back);
        Assert.Equal([3UL], back.Partitions[1].Skipped);
        Assert.True(back.Partitions[0].Skipped.IsEmpty);
        Assert.Equal(RegisteredPoStProof.StackedDrgWindow2KiBV1_1, back.Proofs[0].ProofType);
        Assert.Equal(Rand, back.ChainCommitRand);
    }

    [Fact]
    public void A_negative_chain_commit_epoch_uses_major_type_1()
    {
        var p = TwoPartitions with { ChainCommitEpoch = -1 };
        var hex = Convert.ToHexStringLower(p.ToCbor());
        Assert.Equal(TwoPartitionsCbor.Replace("1904d25820", "205820", StringComparison.Ordinal), hex);
        Assert.Equal(-1, SubmitWindowedPoStParams.FromCbor(Convert.FromHexString(hex)).ChainCommitEpoch);
    }

    [Fact]
    public void Declarations_encode_as_cbor_gen()
    {
        Assert.Equal(TwoFaultsCbor, Convert.ToHexStringLower(TwoFaults.ToCbor()));
        Assert.Equal(TwoFaults, DeclareFaultsParams.FromCbor(Convert.FromHexString(TwoFaultsCbor)));

        // RecoveryDeclaration has FaultDeclaration's layout field for field (cbor_gen.go).
        Assert.Equal(TwoFaultsCbor, Convert.ToHexStringLower(TwoRecoveries.ToCbor()));
        var back = DeclareFaultsRecoveredParams.FromCbor(Convert.FromHexString(TwoFaultsCbor));
        Assert.Equal(TwoRecoveries, back);
        Assert.Equal([3UL], back.Recoveries[1].Sectors);
        Assert.Equal(47UL, back.Recoveries[1].Deadline);
    }

    [Fact]
    public void Empty_declarations_are_an_empty_array()
    {
        Assert.Equal("8180", Convert.ToHexStringLower(new DeclareFaultsParams([]).ToCbor()));
        Assert.Empty(DeclareFaultsRecoveredParams.FromCbor(Convert.FromHexString("8180")).Recoveries);
    }

    /// <summary>
    /// Lotus storage/wdpost/wdpost_run_test.go TestWDPostDoPost: 2 KiB sectors (2 per partition), partitions per
    /// message = policy.GetMaxPoStPartitions(network.Version13) capped at AddressedPartitionsMax = 3000, and the
    /// messages are (n-1) full ones then one with a single partition; each must decode with cbor-gen's
    /// UnmarshalCBOR. At the params level: a full 3000-partition message and the trailing 1-partition one.
    /// </summary>
    [Fact]
    public void A_full_message_of_3000_partitions_and_the_trailing_single_partition_round_trip()
    {
        var full = new SubmitWindowedPoStParams(
            0,
            [.. Enumerable.Range(0, 3000).Select(i => new PoStPartition((ulong)i, BitField.Empty))],
            [new PoStProof(RegisteredPoStProof.StackedDrgWindow2KiBV1_1, new byte[192])],
            100,
            Rand);
        var cbor = full.ToCbor();

        // 85 00, 19 0bb8 (3000 partitions); partitions 0..23: 82 xx 40 (3 bytes), 24..255: 82 18 xx 40 (4),
        // 256..2999: 82 19 xxxx 40 (5); 81 82 0a 58c0 + 192 bytes; 18 64; 58 20 + 32 bytes.
        var expected = 2 + 3 + (24 * 3) + (232 * 4) + (2744 * 5) + (1 + 1 + 1 + 2 + 192) + 2 + (2 + 32);
        Assert.Equal(expected, cbor.Length);
        var back = SubmitWindowedPoStParams.FromCbor(cbor);
        Assert.Equal(3000, back.Partitions.Count);
        Assert.Equal(2999UL, back.Partitions[^1].Index);

        var last = full with { Partitions = [new PoStPartition(3000, BitField.Empty)] };
        Assert.Single(SubmitWindowedPoStParams.FromCbor(last.ToCbor()).Partitions);
    }

    /// <summary>
    /// Lotus storage/wdpost/wdpost_run_test.go TestWDPostDeclareRecoveriesPartLimitConfig: 11 faulty partitions of
    /// full 2 KiB partitions ({0, 1}) at 3 partitions a message → 4 DeclareFaultsRecovered messages of 3, 3, 3 and 2
    /// recoveries. At the params level: those four params decode with their counts and sectors.
    /// </summary>
    [Fact]
    public void Recoveries_batched_three_a_message_decode_as_3_3_3_2()
    {
        var all = Enumerable.Range(0, 11).Select(p => new RecoveryDeclaration(0, (ulong)p, BitField.FromSet([0, 1]))).ToArray();
        var counts = all.Chunk(3)
            .Select(batch => DeclareFaultsRecoveredParams.FromCbor(new DeclareFaultsRecoveredParams(batch).ToCbor()))
            .Select(back =>
            {
                Assert.All(back.Recoveries, r => Assert.Equal([0UL, 1UL], r.Sectors));
                return back.Recoveries.Count;
            })
            .ToArray();
        Assert.Equal([3, 3, 3, 2], counts);
    }

    public static TheoryData<string, string> SubmitRefusals => new()
    {
        // Deadline as a negative integer.
        { "8527" + TwoPartitionsCbor[4..], "SubmitWindowedPoSt params: Deadline: expected an unsigned integer, found a negative integer" },
        // The params as a 4-tuple.
        { "84" + TwoPartitionsCbor[2..], "SubmitWindowedPoSt params: a SubmitWindowedPoStParams is a 5-tuple, found an array of 4" },
        // Partition 1 as a 3-tuple.
        { TwoPartitionsCbor.Replace("8203427002", "830342700200", StringComparison.Ordinal), "SubmitWindowedPoSt params: Partitions[1]: a PoStPartition is a 2-tuple, found an array of 3" },
        // Skipped as a text string.
        { TwoPartitionsCbor.Replace("8203427002", "8203627002", StringComparison.Ordinal), "SubmitWindowedPoSt params: Partitions[1].Skipped: " },
        // Skipped with RLE+ version 1.
        { TwoPartitionsCbor.Replace("820040", "82004101", StringComparison.Ordinal), "SubmitWindowedPoSt params: Partitions[0].Skipped: invalid RLE+" },
        // The proof type as a byte string.
        { TwoPartitionsCbor.Replace("820a43aabbcc", "82410a43aabbcc", StringComparison.Ordinal), "SubmitWindowedPoSt params: Proofs[0].PoStProof: " },
        // ProofBytes as an array.
        { TwoPartitionsCbor.Replace("820a43aabbcc", "820a80", StringComparison.Ordinal), "SubmitWindowedPoSt params: Proofs[0].ProofBytes: " },
        // ChainCommitRand as a text string.
        { TwoPartitionsCbor.Replace("1904d25820", "1904d27820", StringComparison.Ordinal), "SubmitWindowedPoSt params: ChainCommitRand: " },
        // A byte after the value.
        { TwoPartitionsCbor + "00", "SubmitWindowedPoSt params: 1 trailing bytes after the value" },
        // Cut short inside the randomness.
        { TwoPartitionsCbor[..^2], "SubmitWindowedPoSt params: ChainCommitRand: " },
    };

    [Theory]
    [MemberData(nameof(SubmitRefusals))]
    public void SubmitWindowedPoStParams_refuses_anything_else_naming_the_field(string hex, string message)
    {
        var e = Assert.Throws<FormatException>(() => SubmitWindowedPoStParams.FromCbor(Convert.FromHexString(hex)));
        Assert.True(e.Message.StartsWith(message, StringComparison.Ordinal), e.Message);
    }

    public static TheoryData<string, string> DeclarationRefusals => new()
    {
        // The first declaration as a 2-tuple.
        { "8182" + "82" + TwoFaultsCbor[6..], "Faults[0]: a FaultDeclaration is a 3-tuple, found an array of 2" },
        // Partition as a negative integer.
        { TwoFaultsCbor.Replace("830502", "830522", StringComparison.Ordinal), "Faults[0].Partition: expected an unsigned integer, found a negative integer" },
        // Sectors with RLE+ version 1.
        { TwoFaultsCbor.Replace("182f00427002", "182f00420102", StringComparison.Ordinal), "Faults[1].Sectors: invalid RLE+" },
        // The params as a 2-tuple.
        { "82" + TwoFaultsCbor[2..] + "80", "a DeclareFaultsParams is a 1-tuple, found an array of 2" },
    };

    [Theory]
    [MemberData(nameof(DeclarationRefusals))]
    public void DeclareFaultsParams_refuses_anything_else_naming_the_field(string hex, string message)
    {
        var e = Assert.Throws<FormatException>(() => DeclareFaultsParams.FromCbor(Convert.FromHexString(hex)));
        Assert.True(e.Message.StartsWith("DeclareFaults params: " + message, StringComparison.Ordinal), e.Message);
    }

    [Fact]
    public void DeclareFaultsRecoveredParams_refusals_name_the_field()
    {
        var e = Assert.Throws<FormatException>(() => DeclareFaultsRecoveredParams.FromCbor(Convert.FromHexString(TwoFaultsCbor.Replace("182f00427002", "182f00620102", StringComparison.Ordinal))));
        Assert.StartsWith("DeclareFaultsRecovered params: Recoveries[1].Sectors: ", e.Message, StringComparison.Ordinal);

        // Sectors as null (a nil bitfield is not what cbor-gen writes).
        e = Assert.Throws<FormatException>(() => DeclareFaultsRecoveredParams.FromCbor(Convert.FromHexString("8181830502f6")));
        Assert.StartsWith("DeclareFaultsRecovered params: Recoveries[0].Sectors: expected a byte string", e.Message, StringComparison.Ordinal);

        // Cut short inside the first declaration.
        e = Assert.Throws<FormatException>(() => DeclareFaultsRecoveredParams.FromCbor(Convert.FromHexString("8181830502")));
        Assert.StartsWith("DeclareFaultsRecovered params: Recoveries[0]", e.Message, StringComparison.Ordinal);
    }
}
