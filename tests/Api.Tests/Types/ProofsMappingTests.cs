using System.Globalization;
using System.Text.Json;
using Kiln.Api.Types;
using Kiln.Proofs;
using Kiln.Proofs.Pieces;
using Kiln.Proofs.PoSt;
using Kiln.Proofs.Seal;
using Kiln.Proofs.Snark;

namespace Kiln.Api.Tests.Types;

/// <summary>
/// The seam between wire types and proofs types: commitment CIDs decoded and built through their bytes (vectors from
/// go-fil-commcid as Lotus prints them), pieces and PoSt proofs both ways, and one proof id enum on both sides.
/// </summary>
public sealed class ProofsMappingTests
{
    // comm_r of the 2 KiB bench sector and its sealed CID; the same CID bytes in base32 upper-case and base58btc.
    private const string CommRHex = "c647b998c78282296cfd1160714228d43f3b054dfbbb77172b68115ba3c3b762";
    private const string SealedCidText = "bagboea4b5abcbrshxgmmpaucffwp2elaofbcrvb7hmcu3653o4lsw2arlor4hn3c";
    private const string SealedCidUpper = "BAGBOEA4B5ABCBRSHXGMMPAUCFFWP2ELAOFBCRVB7HMCU3653O4LSW2ARLOR4HN3C";
    private const string SealedCidBase58 = "z5Mc7LVWiZyoJCDS9tpSMdoUhmUdzVHDyKsq1zyTF7UjEdi6aV3Uhd3";

    // comm_d of an empty 2 KiB sector (zero commitment Z6) and its unsealed CID.
    private const string CommDHex = "fc7e928296e516faade986b28f92d44a4f24b935485223376a799027bc18f833";
    private const string UnsealedCidText = "baga6ea4seaqpy7usqklokfx2vxuynmupslkeutzexe2uqurdg5vhtebhxqmpqmy";

    private static string Json<T>(T value) => JsonSerializer.Serialize(value, ApiJson.Options);

    private static T Read<T>(string json) => JsonSerializer.Deserialize<T>(json, ApiJson.Options)!;

    [Fact]
    public void A_sealed_cid_and_its_comm_r_convert_both_ways()
    {
        var commR = Convert.FromHexString(CommRHex);

        var cid = ProofsMapping.SealedCid(commR);

        Assert.Equal(SealedCidText, cid.ToString());
        Assert.Equal("0182e20381e80220" + CommRHex, Convert.ToHexStringLower(cid.ToBytes()));
        Assert.Equal(CommRHex, Convert.ToHexStringLower(cid.ToSealedCommitment()));
        Assert.Equal(CommRHex, Convert.ToHexStringLower(Cid.Parse(SealedCidText).ToSealedCommitment()));
    }

    [Fact]
    public void An_unsealed_cid_and_its_comm_d_convert_both_ways()
    {
        var commD = Convert.FromHexString(CommDHex);

        var cid = ProofsMapping.UnsealedCid(commD);

        Assert.Equal(UnsealedCidText, cid.ToString());
        Assert.Equal("0181e203922020" + CommDHex, Convert.ToHexStringLower(cid.ToBytes()));
        Assert.Equal(CommDHex, Convert.ToHexStringLower(cid.ToUnsealedCommitment()));
        Assert.Equal(cid, new Commitment(commD).ToUnsealedCid());
        Assert.True(Cid.Parse(UnsealedCidText).TryToUnsealedCommitment(out var parsed, out var error));
        Assert.Null(error);
        Assert.Equal(CommDHex, Convert.ToHexStringLower(parsed));
    }

    [Theory]
    [InlineData(SealedCidUpper)]
    [InlineData(SealedCidBase58)]
    public void Every_multibase_go_cid_reads_gives_the_same_bytes(string text)
    {
        Assert.Equal(CommRHex, Convert.ToHexStringLower(Cid.Parse(text).ToSealedCommitment()));
    }

    [Fact]
    public void A_cid_of_the_other_commitment_codec_is_refused_naming_both_codecs()
    {
        var asUnsealed = Assert.Throws<ProofsException>(() => Cid.Parse(SealedCidText).ToUnsealedCommitment());
        var asSealed = Assert.Throws<ProofsException>(() => Cid.Parse(UnsealedCidText).ToSealedCommitment());

        Assert.Equal(
            $"cid '{SealedCidText}' is not an unsealed commitment CID (comm_d or commP): wrong codec 0xf102 (fil-commitment-sealed): expected 0xf101 (fil-commitment-unsealed)",
            asUnsealed.Message);
        Assert.Equal(
            $"cid '{UnsealedCidText}' is not a sealed commitment CID (comm_r): wrong codec 0xf101 (fil-commitment-unsealed): expected 0xf102 (fil-commitment-sealed)",
            asSealed.Message);
        Assert.False(Cid.Parse(SealedCidText).TryToUnsealedCommitment(out var none, out var error));
        Assert.Null(none);
        Assert.Equal(asUnsealed.Message, error);
    }

    [Fact]
    public void Cids_that_are_no_commitment_at_all_are_refused_with_the_reason()
    {
        var dagCbor = Assert.Throws<ProofsException>(() => Cid.Parse("bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4").ToSealedCommitment());
        var v0 = Assert.Throws<ProofsException>(() => Cid.Parse("QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG").ToUnsealedCommitment());
        var undefined = Assert.Throws<ProofsException>(() => Cid.Undef.ToSealedCommitment());

        Assert.Contains("wrong codec 0x71 (dag-cbor)", dagCbor.Message, StringComparison.Ordinal);
        Assert.Contains("CID version 18 is not supported", v0.Message, StringComparison.Ordinal);
        Assert.Equal("expected a sealed commitment CID (comm_r): cid is undefined (cid.Undef): it has no bytes", undefined.Message);
    }

    [Fact]
    public void Commitments_of_the_wrong_length_and_bytes_that_are_no_cidv1_are_refused()
    {
        Assert.Contains("32 bytes", Assert.Throws<ProofsException>(() => ProofsMapping.SealedCid(new byte[31])).Message, StringComparison.Ordinal);
        Assert.Contains("not CIDv1 bytes", Assert.Throws<FormatException>(() => Cid.FromBytes([0x12, 0x20])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wire_piece_and_a_proofs_piece_convert_both_ways()
    {
        var wire = new PieceInfo(2048, Cid.Parse(UnsealedCidText));

        var piece = wire.ToPieceCommitment();

        Assert.Equal(new PaddedPieceSize(2048), piece.Size);
        Assert.Equal(Commitment.FromHex(CommDHex), piece.Commitment);
        Assert.Equal(PieceCommitment.Pad(new PaddedPieceSize(2048)), piece);
        Assert.Equal(wire, piece.ToPieceInfo());
        Assert.Equal("""{"Size":2048,"PieceCID":{"/":"baga6ea4seaqpy7usqklokfx2vxuynmupslkeutzexe2uqurdg5vhtebhxqmpqmy"}}""", Json(piece.ToPieceInfo()));
    }

    [Fact]
    public void PreCommit2_output_becomes_sector_cids()
    {
        var commD = Convert.FromHexString(CommDHex);
        var commR = Convert.FromHexString(CommRHex);
        var output = new PreCommit2Output(SealProofInfo.Get(RegisteredSealProof.StackedDrg2KiBV1_1), commD, commR, new byte[32], new byte[32]);

        Assert.Equal(new SectorCids(Cid.Parse(UnsealedCidText), Cid.Parse(SealedCidText)), output.ToSectorCids());
    }

    [Fact]
    public void PoSt_proofs_and_challenged_sectors_convert_for_the_snark_and_back()
    {
        var snark = new PoStProofBytes(RegisteredPoStProof.StackedDrgWindow2KiBV1_1, [1, 2, 3]);

        var wire = snark.ToPoStProof();
        var back = wire.ToPoStProofBytes();
        var replica = new PostSectorChallenge(RegisteredSealProof.StackedDrg2KiBV1_1, 7, Cid.Parse(SealedCidText), [1, 2], false)
            .ToPublicReplica(RegisteredPoStProof.StackedDrgWindow2KiBV1_1);

        Assert.Equal("""{"PoStProof":10,"ProofBytes":"AQID"}""", Json(wire));
        Assert.Equal(RegisteredPoStProof.StackedDrgWindow2KiBV1_1, back.PostType);
        Assert.Equal([1, 2, 3], back.Proof);
        Assert.Empty(new PoStProof(RegisteredPoStProof.StackedDrgWinning2KiBV1, null).ToPoStProofBytes().Proof);
        Assert.Equal(7UL, replica.SectorId);
        Assert.Equal(CommRHex, Convert.ToHexStringLower(replica.CommR.Span));
        Assert.Equal(RegisteredPoStProof.StackedDrgWindow2KiBV1_1, replica.PostType);
    }

    [Fact]
    public void Every_seal_proof_id_is_one_number_on_the_wire_and_in_the_proofs()
    {
        var ids = Enum.GetValues<RegisteredSealProof>();

        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), ids.Select(p => (long)p));
        foreach (var id in ids)
        {
            var number = ((long)id).ToString(CultureInfo.InvariantCulture);
            Assert.Equal(number, Json(id));
            Assert.Equal(id, Read<RegisteredSealProof>(number));
            Assert.Equal("{\"" + number + "\":1}", Json(new Dictionary<RegisteredSealProof, int> { [id] = 1 }));
            Assert.Equal(id, SealProofInfo.Get(id).Proof);
        }
    }

    [Fact]
    public void Every_post_proof_id_is_one_number_on_the_wire_and_in_the_proofs()
    {
        var ids = Enum.GetValues<RegisteredPoStProof>();

        Assert.Equal(Enumerable.Range(0, 15).Select(i => (long)i), ids.Select(p => (long)p));
        foreach (var id in ids)
        {
            var number = ((long)id).ToString(CultureInfo.InvariantCulture);
            Assert.Equal(number, Json(id));
            Assert.Equal(id, Read<RegisteredPoStProof>(number));
            Assert.Equal(id, PoStProofInfo.Get(id).Proof);
            Assert.Equal(id, new PoStProofBytes(id, []).ToPoStProof().ProofType);
        }
    }

    [Fact]
    public void Ids_outside_the_registered_set_cross_the_wire_as_go_carries_them_and_the_proofs_refuse_them()
    {
        Assert.Equal((RegisteredSealProof)4_000_000_000L, Read<RegisteredSealProof>("4000000000"));
        Assert.Equal("4000000000", Json((RegisteredSealProof)4_000_000_000L));
        Assert.Equal("""{"PoStProof":99,"ProofBytes":null}""", Json(new PoStProof((RegisteredPoStProof)99, null)));
        Assert.Throws<ProofsException>(() => SealProofInfo.Get((RegisteredSealProof)20));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PoStProof((RegisteredPoStProof)99, [1]).ToPoStProofBytes());
    }
}
