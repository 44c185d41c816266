using Kiln.Api.Chain;
using Kiln.Api.Types;
using Kiln.Proofs;
using Kiln.Proofs.Multiformats;

namespace Kiln.Api.Tests.Chain;

/// <summary>
/// The miner actor params as go-state-types builtin/v16/miner/cbor_gen.go encodes them. go-state-types and Lotus hold
/// no byte vectors for these types, so each expected encoding is built here by hand from cbor_gen.go's
/// <c>MarshalCBOR</c>, one CBOR head per field, annotated so it can be checked against the generated code.
/// </summary>
public sealed class MinerParamsTests
{
    private static readonly byte[] CommR = [.. Enumerable.Range(0, 32).Select(i => (byte)i)];
    private static readonly byte[] CommD = [.. Enumerable.Range(32, 32).Select(i => (byte)i)];
    private static readonly Cid SealedCid = Cid.FromBytes(CommCid.ToSealedCidBytes(CommR));
    private static readonly Cid UnsealedCid = Cid.FromBytes(CommCid.ToPieceCidBytes(CommD));

    // Tag 42 (d8 2a), byte string(41) (58 29): 0x00 ‖ CIDv1 01, fil-commitment-sealed 0xf102 (82 e2 03),
    // poseidon-bls12_381-a2-fc1 0xb401 (81 e8 02), digest length 32 (20), comm_r.
    private static readonly string SealedCidCbor = "d82a" + "5829" + "00" + "01" + "82e203" + "81e802" + "20" + Convert.ToHexStringLower(CommR);

    // Tag 42, byte string(40) (58 28): 0x00 ‖ 01, fil-commitment-unsealed 0xf101 (81 e2 03),
    // sha2-256-trunc254-padded 0x1012 (92 20), 32 (20), comm_d.
    private static readonly string UnsealedCidCbor = "d82a" + "5828" + "00" + "01" + "81e203" + "9220" + "20" + Convert.ToHexStringLower(CommD);

    private static readonly PreCommitSectorBatchParams2 TwoSectors = new(
    [
        new SectorPreCommitInfo
        {
            SealProof = RegisteredSealProof.StackedDrg32GiBV1_1,
            SectorNumber = 9,
            SealedCID = SealedCid,
            SealRandEpoch = 10101,
            DealIDs = [],
            Expiration = 1_555_200,
            UnsealedCid = null,
        },
        new SectorPreCommitInfo
        {
            SealProof = RegisteredSealProof.StackedDrg32GiBV1_1,
            SectorNumber = 1000,
            SealedCID = SealedCid,
            SealRandEpoch = 23,
            DealIDs = [5432],
            Expiration = 24,
            UnsealedCid = UnsealedCid,
        },
    ]);

    private static readonly string TwoSectorsCbor = string.Concat(
        "81", // PreCommitSectorBatchParams2: array(1)
        "82", //  Sectors: array(2)
        "87", //   [0] SectorPreCommitInfo: array(7)
        "08", //    SealProof 8 (StackedDrg32GiBV1_1), int64 ≥ 0: major 0
        "09", //    SectorNumber 9
        SealedCidCbor, // SealedCID
        "192775", //    SealRandEpoch 10101: uint16 follows (0x2775)
        "80", //    DealIDs: empty array (cbor-gen writes a nil slice as array(0))
        "1a0017bb00", //    Expiration 1555200: uint32 follows (0x0017bb00)
        "f6", //    UnsealedCid: nil *cid.Cid is null
        "87", //   [1] SectorPreCommitInfo: array(7)
        "08", //    SealProof 8
        "1903e8", //    SectorNumber 1000: uint16 follows
        SealedCidCbor, // SealedCID
        "17", //    SealRandEpoch 23: fits in the head
        "81" + "191538", //    DealIDs: array(1), 5432 (0x1538)
        "1818", //    Expiration 24: uint8 follows (24 does not fit in the head)
        UnsealedCidCbor); // UnsealedCid

    [Fact]
    public void Commitment_cids_encode_as_tag_42_with_the_exact_bytes()
    {
        var w = ChainCbor.NewWriter();
        ChainCbor.WriteCid(w, SealedCid);
        Assert.Equal(SealedCidCbor, Convert.ToHexStringLower(w.Encode()));
        w = ChainCbor.NewWriter();
        ChainCbor.WriteCid(w, UnsealedCid);
        Assert.Equal(UnsealedCidCbor, Convert.ToHexStringLower(w.Encode()));
        Assert.Equal(SealedCid, ChainCbor.ReadCid(ChainCbor.NewReader(Convert.FromHexString(SealedCidCbor))));
        Assert.Equal(UnsealedCid, ChainCbor.ReadNullableCid(ChainCbor.NewReader(Convert.FromHexString(UnsealedCidCbor))));
        Assert.Null(ChainCbor.ReadNullableCid(ChainCbor.NewReader(Convert.FromHexString("f6"))));
        Assert.Equal(CommR, CommCid.ParseSealedCidBytes(SealedCid.ToBytes()));
    }

    [Fact]
    public void PreCommitSectorBatchParams2_encodes_as_cbor_gen()
    {
        Assert.Equal(TwoSectorsCbor, Convert.ToHexStringLower(TwoSectors.ToCbor()));
        var back = PreCommitSectorBatchParams2.FromCbor(Convert.FromHexString(TwoSectorsCbor));
        Assert.Equal(TwoSectors, back);
        Assert.Equal(UnsealedCid, back.Sectors[1].UnsealedCid);
        Assert.Equal([5432UL], back.Sectors[1].DealIDs);
    }

    [Fact]
    public void Sector_info_with_null_deal_ids_encodes_an_empty_array()
    {
        var info = TwoSectors.Sectors[0] with { DealIDs = null };
        var w = ChainCbor.NewWriter();
        info.Write(w);
        var bytes = w.Encode();
        Assert.Contains("19277580", Convert.ToHexStringLower(bytes), StringComparison.Ordinal);
        Assert.Equal(info, SectorPreCommitInfo.Read(ChainCbor.NewReader(bytes)));
    }

    [Fact]
    public void Negative_epochs_use_major_type_1()
    {
        var w = ChainCbor.NewWriter();
        ChainCbor.WriteInt64(w, -1);
        Assert.Equal("20", Convert.ToHexStringLower(w.Encode()));
        w = ChainCbor.NewWriter();
        ChainCbor.WriteInt64(w, -25);
        Assert.Equal("3818", Convert.ToHexStringLower(w.Encode()));
        Assert.Equal(-25, ChainCbor.ReadInt64(ChainCbor.NewReader(Convert.FromHexString("3818"))));
        Assert.Equal(long.MinValue, ChainCbor.ReadInt64(ChainCbor.NewReader(Convert.FromHexString("3b7fffffffffffffff"))));
    }

    public static TheoryData<string, string> PreCommitRefusals => new()
    {
        // SealedCID as a bare byte string, without tag 42.
        { TwoSectorsCbor.Replace("0809d82a5829", "08095829", StringComparison.Ordinal), "PreCommitSectorBatch2 params: Sectors[0].SealedCID: expected tag 42 (a CID), found a byte string" },
        // The first sector as a 6-tuple.
        { "8182" + "86" + TwoSectorsCbor[6..], "PreCommitSectorBatch2 params: Sectors[0]: a SectorPreCommitInfo is a 7-tuple, found an array of 6" },
        // A byte after the value.
        { TwoSectorsCbor + "00", "PreCommitSectorBatch2 params: 1 trailing bytes after the value" },
        // SectorNumber 9 as a negative integer (major 1).
        { TwoSectorsCbor.Replace("870809d8", "870829d8", StringComparison.Ordinal), "PreCommitSectorBatch2 params: Sectors[0].SectorNumber: expected an unsigned integer, found a negative integer" },
        // SectorNumber 9 in a non-shortest head (18 09).
        { TwoSectorsCbor.Replace("870809d8", "87081809d8", StringComparison.Ordinal), "PreCommitSectorBatch2 params: Sectors[0].SectorNumber: malformed CBOR where an unsigned integer was expected" },
        // The params tuple with 2 entries.
        { "82" + TwoSectorsCbor[2..] + "80", "PreCommitSectorBatch2 params: a PreCommitSectorBatchParams2 is a 1-tuple, found an array of 2" },
        // UnsealedCid false instead of null.
        { TwoSectorsCbor.Replace("1a0017bb00f6", "1a0017bb00f4", StringComparison.Ordinal), "PreCommitSectorBatch2 params: Sectors[0].UnsealedCid: expected tag 42 (a CID), found a boolean" },
        // SealProof beyond int64.
        { "818187" + "1bffffffffffffffff" + TwoSectorsCbor[8..TwoSectorsCbor.IndexOf("87", 8, StringComparison.Ordinal)], "PreCommitSectorBatch2 params: Sectors[0].SealProof: integer is outside int64 (positive overflow)" },
        // The CID's bytes without the 0x00 prefix.
        { TwoSectorsCbor.Replace("d82a582900", "d82a582901", StringComparison.Ordinal), "PreCommitSectorBatch2 params: Sectors[0].SealedCID: a CID under tag 42 must start with the multibase identity prefix 0x00" },
        // DealIDs with 8193 entries (array head 99 2001).
        { "818187" + "0809" + SealedCidCbor + "192775" + "992001" + string.Concat(Enumerable.Repeat("00", 8193)) + "00f6", "PreCommitSectorBatch2 params: Sectors[0].DealIDs: array of 8193 entries is longer than cbor-gen's limit of 8192" },
        // Indefinite-length Sectors array.
        { "819f" + TwoSectorsCbor[4..] + "ff", "PreCommitSectorBatch2 params: Sectors: " },
        // Cut short inside the first sector.
        { TwoSectorsCbor[..20], "PreCommitSectorBatch2 params: Sectors[0].SealedCID: " },
    };

    [Theory]
    [MemberData(nameof(PreCommitRefusals))]
    public void PreCommitSectorBatchParams2_refuses_anything_else_naming_the_field(string hex, string message)
    {
        var e = Assert.Throws<FormatException>(() => PreCommitSectorBatchParams2.FromCbor(Convert.FromHexString(hex)));
        Assert.True(e.Message.StartsWith(message, StringComparison.Ordinal), e.Message);
    }

    [Fact]
    public void A_batch_of_64_sectors_round_trips_with_the_size_cbor_gen_gives_it()
    {
        var sectors = Enumerable.Range(0, 64).Select(i => new SectorPreCommitInfo
        {
            SealProof = RegisteredSealProof.StackedDrg32GiBV1_1,
            SectorNumber = (ulong)(1000 + i),
            SealedCID = SealedCid,
            SealRandEpoch = 4_000_000 + i,
            DealIDs = [],
            Expiration = 5_555_200,
            UnsealedCid = null,
        }).ToArray();
        var batch = new PreCommitSectorBatchParams2(sectors);
        var cbor = batch.ToCbor();
        // 81 (params) + 98 40 (64 sectors), then per sector: 87, 08, 19 xxxx (number), the CID (d8 2a 58 29 + 41 bytes = 45), 1a xxxxxxxx (epoch),
        // 80 (no deals), 1a xxxxxxxx (expiration), f6: 62 bytes a sector, 3971 in all.
        Assert.Equal(1 + 2 + (64 * (1 + 1 + 3 + 45 + 5 + 1 + 5 + 1)), cbor.Length);
        Assert.Equal(batch, PreCommitSectorBatchParams2.FromCbor(cbor));
    }

    private static readonly ProveCommitSectors3Params PerSectorProofs = new()
    {
        SectorActivations =
        [
            new SectorActivationManifest(9, []),
            new SectorActivationManifest(1000, [new PieceActivationManifest(UnsealedCid, 2048, new VerifiedAllocationKey(1001, 7), [new DataActivationNotification(Address.FromId(5), "hi"u8.ToArray())])]),
        ],
        SectorProofs = [[0xaa, 0xbb, 0xcc], [0xdd]],
        AggregateProof = [],
        AggregateProofType = null,
        RequireActivationSuccess = true,
        RequireNotificationSuccess = false,
    };

    private static readonly string PerSectorProofsCbor = string.Concat(
        "86", // ProveCommitSectors3Params: array(6)
        "82", //  SectorActivations: array(2)
        "82" + "09" + "80", //   [0] SectorActivationManifest: array(2), SectorNumber 9, Pieces: array(0)
        "82" + "1903e8" + "81", //   [1] array(2), SectorNumber 1000, Pieces: array(1)
        "84", //     PieceActivationManifest: array(4)
        UnsealedCidCbor, // CID
        "190800", //      Size 2048 (padded)
        "82" + "1903e9" + "07", //      VerifiedAllocationKey: array(2), Client 1001, ID 7
        "81" + "82" + "420005" + "426869", //      Notify: array(1) of DataActivationNotification array(2): Address f05, Payload "hi"
        "82" + "43aabbcc" + "41dd", //  SectorProofs: array(2) of byte strings
        "40", //  AggregateProof: empty byte string
        "f6", //  AggregateProofType: nil *int64 is null
        "f5", //  RequireActivationSuccess true
        "f4"); //  RequireNotificationSuccess false

    [Fact]
    public void ProveCommitSectors3Params_with_a_proof_per_sector_encodes_as_cbor_gen()
    {
        Assert.Equal(PerSectorProofsCbor, Convert.ToHexStringLower(PerSectorProofs.ToCbor()));
        Assert.Equal(PerSectorProofs, ProveCommitSectors3Params.FromCbor(Convert.FromHexString(PerSectorProofsCbor)));
    }

    [Fact]
    public void ProveCommitSectors3Params_with_an_aggregate_encodes_as_cbor_gen()
    {
        var aggregate = new ProveCommitSectors3Params
        {
            SectorActivations = [new SectorActivationManifest(9, []), new SectorActivationManifest(10, [])],
            SectorProofs = [],
            AggregateProof = [0x01, 0x02],
            AggregateProofType = 1, // abi.RegisteredAggregationProof_SnarkPackV2
            RequireActivationSuccess = true,
            RequireNotificationSuccess = true,
        };
        var expected = string.Concat(
            "86", // array(6)
            "82" + "820980" + "820a80", // SectorActivations: [9, []], [10, []]
            "80", // SectorProofs: array(0)
            "420102", // AggregateProof: byte string(2)
            "01", // AggregateProofType 1 (SnarkPackV2)
            "f5", // RequireActivationSuccess
            "f5"); // RequireNotificationSuccess
        Assert.Equal(expected, Convert.ToHexStringLower(aggregate.ToCbor()));
        Assert.Equal(aggregate, ProveCommitSectors3Params.FromCbor(Convert.FromHexString(expected)));
    }

    public static TheoryData<string, string> ProveCommitRefusals => new()
    {
        { "85" + PerSectorProofsCbor[2..^2], "ProveCommitSectors3 params: a ProveCommitSectors3Params is a 6-tuple, found an array of 5" },
        { PerSectorProofsCbor[..^6] + "61" + "31" + "f5f4", "ProveCommitSectors3 params: AggregateProofType: expected an integer, found a text string" },
        { PerSectorProofsCbor[..^4] + "01f4", "ProveCommitSectors3 params: RequireActivationSuccess: expected a boolean (0xf4/0xf5), found an unsigned integer" },
        { PerSectorProofsCbor.Replace("821903e90781", "831903e9070781", StringComparison.Ordinal), "ProveCommitSectors3 params: SectorActivations[1].Pieces[0].VerifiedAllocationKey: a VerifiedAllocationKey is a 2-tuple, found an array of 3" },
        { PerSectorProofsCbor.Replace("420005426869", "4200054f6869", StringComparison.Ordinal), "ProveCommitSectors3 params: SectorActivations[1].Pieces[0].Notify[0].Payload: " },
        { PerSectorProofsCbor.Replace("43aabbcc41dd", "43aabbcc61dd", StringComparison.Ordinal), "ProveCommitSectors3 params: SectorProofs[1]: expected a byte string, found a text string" },
    };

    [Theory]
    [MemberData(nameof(ProveCommitRefusals))]
    public void ProveCommitSectors3Params_refuses_anything_else_naming_the_field(string hex, string message)
    {
        var e = Assert.Throws<FormatException>(() => ProveCommitSectors3Params.FromCbor(Convert.FromHexString(hex)));
        Assert.True(e.Message.StartsWith(message, StringComparison.Ordinal), e.Message);
    }

    [Fact]
    public void BatchReturn_encodes_as_cbor_gen_and_refuses_a_bad_code()
    {
        var ret = new BatchReturn(2, [(1UL, ExitCodes.ErrIllegalArgument), (3UL, -1L)]);
        var expected = string.Concat(
            "82", // BatchReturn: array(2)
            "02", // SuccessCount 2
            "82", // FailCodes: array(2)
            "82" + "01" + "10", // FailCode: Idx 1, Code 16 (ErrIllegalArgument)
            "82" + "03" + "20"); // FailCode: Idx 3, Code -1 (major 1)
        Assert.Equal(expected, Convert.ToHexStringLower(ret.ToCbor()));
        Assert.Equal(ret, BatchReturn.FromCbor(Convert.FromHexString(expected)));
        Assert.Equal("8200" + "80", Convert.ToHexStringLower(new BatchReturn(0, []).ToCbor()));
        var e = Assert.Throws<FormatException>(() => BatchReturn.FromCbor(Convert.FromHexString("820281820140")));
        Assert.Equal("BatchReturn: FailCodes[0].Code: expected an integer, found a byte string", e.Message);
    }

    [Fact]
    public void Encoders_refuse_an_undefined_sealed_cid_and_an_undefined_address()
    {
        var noCid = new PreCommitSectorBatchParams2([TwoSectors.Sectors[0] with { SealedCID = Cid.Undef }]);
        Assert.Throws<FormatException>(noCid.ToCbor);
        var noAddress = new ProveCommitSectors3Params
        {
            SectorActivations = [new SectorActivationManifest(1, [new PieceActivationManifest(UnsealedCid, 2048, null, [new DataActivationNotification(default, [])])])],
        };
        Assert.Throws<InvalidOperationException>(noAddress.ToCbor);
    }
}
