using Kiln.Proofs.Multiformats;

namespace Kiln.Proofs.Tests.Multiformats;

public class MultibaseTests
{
    private const string SealedCidBytesHex = "0182e20381e80220c647b998c78282296cfd1160714228d43f3b054dfbbb77172b68115ba3c3b762";

    [Theory]
    [InlineData("bagboea4b5abcbrshxgmmpaucffwp2elaofbcrvb7hmcu3653o4lsw2arlor4hn3c")]
    [InlineData("BAGBOEA4B5ABCBRSHXGMMPAUCFFWP2ELAOFBCRVB7HMCU3653O4LSW2ARLOR4HN3C")]
    [InlineData("z5Mc7LVWiZyoJCDS9tpSMdoUhmUdzVHDyKsq1zyTF7UjEdi6aV3Uhd3")]
    public void The_text_forms_go_cid_reads_decode_to_the_same_bytes(string text)
    {
        Assert.True(Multibase.TryDecode(text, out var bytes, out var error));
        Assert.Null(error);
        Assert.Equal(SealedCidBytesHex, Convert.ToHexStringLower(bytes));
    }

    [Fact]
    public void Base32_lower_encoding_is_what_go_cid_writes_for_a_cidv1()
    {
        Assert.Equal(
            "bagboea4b5abcbrshxgmmpaucffwp2elaofbcrvb7hmcu3653o4lsw2arlor4hn3c",
            Multibase.EncodeBase32Lower(Convert.FromHexString(SealedCidBytesHex)));
    }

    [Fact]
    public void A_cidv0_is_its_bare_multihash_and_leading_ones_are_zero_bytes()
    {
        Assert.True(Multibase.TryDecode("QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG", out var v0, out _));
        Assert.Equal(34, v0.Length);
        Assert.Equal([0x12, 0x20], v0[..2]);
        Assert.True(Multibase.TryDecode("z11", out var zeros, out _));
        Assert.Equal([0, 0], zeros);
    }

    [Theory]
    [InlineData("", "empty text")]
    [InlineData("fabcd", "multibase prefix 'f' is not one a CID is written in (b, B, z)")]
    [InlineData("z0OIl", "invalid base58btc character '0' at position 1")]
    [InlineData("bafy!", "invalid base32 character '!' at position 4: only a–z and 2–7 are allowed")]
    public void Text_that_does_not_decode_says_why(string text, string expected)
    {
        Assert.False(Multibase.TryDecode(text, out var bytes, out var error));
        Assert.Null(bytes);
        Assert.Equal(expected, error);
    }
}
