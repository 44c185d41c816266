using Kiln.Proofs.Hashing;

namespace Kiln.Api.Tests.Chain;

/// <summary>
/// The BLAKE2b digests the chain types use: 4 bytes (go-address checksums), 20 bytes (secp256k1 and actor address
/// payloads) and 32 bytes (blake2b-256 CIDs of messages), over messages longer than 16 bytes. RFC 7693 Appendix A gives
/// BLAKE2b-512("abc"); the others were computed with GNU coreutils b2sum (<c>b2sum -l 32|160|256</c>) over the bytes
/// 0, 1, 2, … (mod 256) of each length.
/// </summary>
public sealed class Blake2bDigestTests
{
    [Fact]
    public void Rfc7693_appendix_a_abc()
    {
        Assert.Equal(
            "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923",
            Convert.ToHexStringLower(Blake2b.HashData("abc"u8)));
    }

    [Theory]
    [InlineData(17, "e9d882bd", "cc6a494dbae2d0c782b9647f5e268d20c89da8e0", "ced0cd609f3c8ff85b9cec93bba556dbe3caa996ac5beb629d4512473d6b31ae", "9c4d0c3e1cdbbf485bec86f41cec7c98373f0e09f392849aaa229ebfbf397b22085529cb7ef39f9c7c2222a514182b1effaa178cc3687b1b2b6cbcb6fdeb96f8")]
    [InlineData(49, "67b5a010", "500f61e1f6bd816ecfe76b0a499fab1a945bfdc7", "71745158a70425e25a8446122dda82fcfeb6bfcb593b25d79c539c6b989c526d", "7b4fa158e415fef023247264cbbe15d16d91a44424a8db707eb1e2033c30e9e1e7c8c0864595d2cb8c580eb47e9d16abbd7e44e824f7cedb7def57130e52cfe9")]
    [InlineData(129, "b382d211", "a7bf25f1599102ab631e3052e8303a2c097d1a7e", "f7f3c46ba2564ff4c4c162da1f5b605f9f1c4aa6a20652a9f9a337c1a2f5b9c9", "f59711d44a031d5f97a9413c065d1e614c417ede998590325f49bad2fd444d3e4418be19aec4e11449ac1a57207898bc57d76a1bcf3566292c20c683a5c4648f")]
    [InlineData(200, "913cd807", "b83a5733ce63f2dd8266ea8ec93333d7935142cf", "63c3d97a9f8894d5e043a707b0fee7f7ec4c049a23bbf1079df20b4165f9e22d", "fb3c1f0f56a56f8e316fdf5d853c8c872c39635d083634c3904fc3ac07d1b578e85ff0e480e92d44ade33b62e893ee32343e79ddf6ef292e89b582d312502314")]
    public void Digests_match_b2sum(int length, string digest4, string digest20, string digest32, string digest64)
    {
        var message = Enumerable.Range(0, length).Select(i => (byte)i).ToArray();
        Assert.Equal(digest4, Digest(message, 4));
        Assert.Equal(digest20, Digest(message, 20));
        Assert.Equal(digest32, Digest(message, 32));
        Assert.Equal(digest64, Digest(message, 64));
    }

    private static string Digest(byte[] message, int size)
    {
        var digest = new byte[size];
        Blake2b.HashData(message, digest);
        return Convert.ToHexStringLower(digest);
    }
}
