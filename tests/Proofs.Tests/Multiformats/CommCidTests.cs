using Kiln.Proofs.Multiformats;

namespace Kiln.Proofs.Tests.Multiformats;

public class CommCidTests
{
    private const string Z6 = "fc7e928296e516faade986b28f92d44a4f24b935485223376a799027bc18f833";
    private const string Z6Cid = "baga6ea4seaqpy7usqklokfx2vxuynmupslkeutzexe2uqurdg5vhtebhxqmpqmy";
    private const string SealedHex = "c647b998c78282296cfd1160714228d43f3b054dfbbb77172b68115ba3c3b762";
    private const string SealedCid = "bagboea4b5abcbrshxgmmpaucffwp2elaofbcrvb7hmcu3653o4lsw2arlor4hn3c";

    [Fact]
    public void Piece_cid_bytes_have_the_unsealed_prefix()
    {
        var bytes = CommCid.ToPieceCidBytes(Convert.FromHexString(Z6));

        Assert.Equal("0181e203922020" + Z6, Convert.ToHexStringLower(bytes));
        Assert.Equal(Z6, Convert.ToHexStringLower(CommCid.ParsePieceCidBytes(bytes)));
    }

    [Fact]
    public void Piece_cid_string_matches_vector_both_ways()
    {
        Assert.Equal(Z6Cid, CommCid.ToPieceCid(Convert.FromHexString(Z6)));
        Assert.Equal(Z6, Convert.ToHexStringLower(CommCid.ParsePieceCid(Z6Cid)));
    }

    [Theory]
    [InlineData(SealedHex, SealedCid)]
    [InlineData("6062b2c331dfa379f40d90af84f9a232ef6ec24ff914e138bbed738bd8f47c05", "bagboea4b5abcaydcwlbtdx5dph2a3efpqt42emxpn3be76iu4e4lx3ltrpmpi7af")]
    [InlineData("d67d57ea6808fd67bdedb331388b5005d3f837b6153c37ff90e720f10f34fc29", "bagboea4b5abcbvt5k7vgqch5m6663mzrhcfvabot7a33mfj4g77zbzza6ehtj7bj")]
    public void Sealed_cid_matches_vectors_both_ways(string hex, string cid)
    {
        Assert.Equal(cid, CommCid.ToSealedCid(Convert.FromHexString(hex)));
        Assert.Equal(hex, Convert.ToHexStringLower(CommCid.ParseSealedCid(cid)));
        Assert.Equal("0182e20381e80220" + hex, Convert.ToHexStringLower(CommCid.ToSealedCidBytes(Convert.FromHexString(hex))));
    }

    [Fact]
    public void Comm_d_cid_from_the_seal_record_parses()
    {
        var comm = CommCid.ParsePieceCid("baga6ea4seaqh4rpqsjo4ojmt22zjmeaonstd4m2bzevfbqhhvfdbra5dzfm6uka");

        Assert.Equal("7e45f0925dc72593d6b296100e6ca63e3341c92a50c0e7a9461883a3c959ea28", Convert.ToHexStringLower(comm));
    }

    [Fact]
    public void Random_commitments_round_trip()
    {
        var rng = new Random(42);
        for (var i = 0; i < 50; i++)
        {
            var comm = new byte[32];
            rng.NextBytes(comm);
            Assert.Equal(comm, CommCid.ParsePieceCid(CommCid.ToPieceCid(comm)));
            Assert.Equal(comm, CommCid.ParseSealedCid(CommCid.ToSealedCid(comm)));
        }
    }

    [Fact]
    public void Wrong_codec_is_rejected_with_its_name()
    {
        var e = Assert.Throws<ProofsException>(() => CommCid.ParsePieceCid(SealedCid));
        Assert.Contains("wrong codec 0xf102 (fil-commitment-sealed)", e.Message, StringComparison.Ordinal);

        e = Assert.Throws<ProofsException>(() => CommCid.ParseSealedCid(Z6Cid));
        Assert.Contains("wrong codec 0xf101", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_multihash_is_rejected()
    {
        var bytes = CommCid.ToPieceCidBytes(Convert.FromHexString(Z6));
        bytes[4] = 0x93; // multihash 0x1013

        var e = Assert.Throws<ProofsException>(() => CommCid.ParsePieceCidBytes(bytes));
        Assert.Contains("wrong multihash 0x1013", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_lengths_are_rejected()
    {
        var bytes = CommCid.ToPieceCidBytes(Convert.FromHexString(Z6));

        var truncated = Assert.Throws<ProofsException>(() => CommCid.ParsePieceCidBytes(bytes.AsSpan(0, bytes.Length - 1)));
        Assert.Contains("31 of 32 bytes", truncated.Message, StringComparison.Ordinal);

        var longer = Assert.Throws<ProofsException>(() => CommCid.ParsePieceCidBytes([.. bytes, 0]));
        Assert.Contains("1 trailing bytes", longer.Message, StringComparison.Ordinal);

        var digestLength = (byte[])bytes.Clone();
        digestLength[6] = 31;
        var e = Assert.Throws<ProofsException>(() => CommCid.ParsePieceCidBytes(digestLength));
        Assert.Contains("digest length 31", e.Message, StringComparison.Ordinal);

        Assert.Throws<ProofsException>(() => CommCid.ToPieceCid(new byte[31]));
        Assert.Throws<ProofsException>(() => CommCid.ToSealedCid(new byte[33]));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Baga6ea4seaqpy7usqklokfx2vxuynmupslkeutzexe2uqurdg5vhtebhxqmpqmy")]
    [InlineData("baga6ea4seaqpy7usqklokfx2vxuynmupslkeutzexe2uqurdg5vhtebhxqmpqm1")]
    [InlineData("bagA6ea4seaqpy7usqklokfx2vxuynmupslkeutzexe2uqurdg5vhtebhxqmpqmy")]
    [InlineData("baga6ea4seaqpy7usqklokfx2vxuynmupslkeutzexe2uqurdg5vhtebhxqmpqmz")]
    [InlineData("bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi")]
    [InlineData("QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG")]
    public void Garbage_is_rejected(string text)
    {
        Assert.Throws<ProofsException>(() => CommCid.ParsePieceCid(text));
        Assert.False(CommCid.TryParsePieceCid(text, out var comm));
        Assert.Null(comm);
    }

    [Fact]
    public void Bad_alphabet_error_names_the_character()
    {
        var e = Assert.Throws<ProofsException>(() => CommCid.ParsePieceCid("baga6ea4seaq1y7usqklokfx2vxuynmupslkeutzexe2uqurdg5vhtebhxqmpqmy"));

        Assert.Contains("invalid base32 character '1'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_accepts_valid_cids()
    {
        Assert.True(CommCid.TryParsePieceCid(Z6Cid, out var piece));
        Assert.Equal(Z6, Convert.ToHexStringLower(piece));
        Assert.True(CommCid.TryParseSealedCid(SealedCid, out var sealedComm));
        Assert.Equal(SealedHex, Convert.ToHexStringLower(sealedComm));
        Assert.False(CommCid.TryParseSealedCid(Z6Cid, out _));
        Assert.False(CommCid.TryParsePieceCid(null, out _));
    }

    [Theory]
    [InlineData("496dae0cc9e265efe5a006e80626a5dc5c409e5d3155c13984caf6c8d5cfd605", 508UL, "bafkzcibcaaces3nobte6ezpp4wqan2age2s5yxcatzotcvobhgcmv5wi2xh5mbi")]
    [InlineData("de6815dcb348843215a94de532954b60be550a4bec6e74555665e9a5ec4e0f3c", 1016UL, "bafkzcibcaac542av3szurbbscwuu3zjssvfwbpsvbjf6y3tukvlgl2nf5rha6pa")]
    [InlineData("de6815dcb348843215a94de532954b60be550a4bec6e74555665e9a5ec4e0f3c", 512UL, "bafkzcibd7abqlxticxolgseegik2stpfgkkuwyf6kufex3doorkvmzpjuxwe4dz4")]
    [InlineData("077e5fde35c50a9303a55009e3498a4ebedff39c42b710b730d8ec7ac7afa63e", 34359738368UL / 128 * 127, "bafkzcibcaapao7s73y24kcutaosvacpdjgfe5pw76ooefnyqw4ynr3d2y6x2mpq")]
    [InlineData("e64005a6bfe3777953b8ad6ef93f0fca1049b2041654f2a411f7702799cece02", 68719476736UL / 128 * 127, "bafkzcibcaap6mqafu276g53zko4k23xzh4h4uecjwicbmvhsuqi7o4bhthhm4aq")]
    public void Piece_cid_v2_matches_commcid_fixtures(string commHex, ulong payload, string expected)
    {
        Assert.Equal(expected, CommCid.ToPieceCidV2(Convert.FromHexString(commHex), payload));
    }

    [Fact]
    public void Piece_cid_v2_rejects_payloads_below_127()
    {
        var e = Assert.Throws<ProofsException>(() => CommCid.ToPieceCidV2(new byte[32], 126));
        Assert.Contains("at least 127", e.Message, StringComparison.Ordinal);
    }
}
