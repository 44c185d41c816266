using System.Text;
using Kiln.Proofs.Hashing;

namespace Kiln.Proofs.Tests.Hashing;

public class Blake2bTests
{
    [Fact]
    public void Rfc7693_abc()
    {
        Assert.Equal(
            "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
            + "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923",
            Convert.ToHexStringLower(Blake2b.HashData(Encoding.ASCII.GetBytes("abc"))));
    }

    [Fact]
    public void Empty_message()
    {
        Assert.Equal(
            "786a02f742015903c6c6fd852552d272912f4740e15847618a86e217f71f5419"
            + "d25e1031afee585313896444934eb04b903a685b1448b755d56f701afe9be2ce",
            Convert.ToHexStringLower(Blake2b.HashData(ReadOnlySpan<byte>.Empty)));
    }

    [Fact]
    public void Multi_block_message_differs_from_its_prefix_and_is_deterministic()
    {
        var message = Enumerable.Range(0, 300).Select(i => (byte)i).ToArray();
        var a = Blake2b.HashData(message);
        var b = Blake2b.HashData(message);
        var c = Blake2b.HashData(message.AsSpan(0, 256));
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Digest_length_is_part_of_the_parameter_block()
    {
        // BLAKE2b-256 of the empty message (a different digest, not a prefix of BLAKE2b-512).
        Span<byte> d32 = stackalloc byte[32];
        Blake2b.HashData(ReadOnlySpan<byte>.Empty, d32);
        Assert.Equal("0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8", Convert.ToHexStringLower(d32));
    }
}
