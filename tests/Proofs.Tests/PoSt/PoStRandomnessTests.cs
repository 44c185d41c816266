using Kiln.Proofs.PoSt;

namespace Kiln.Proofs.Tests.PoSt;

public sealed class PoStRandomnessTests
{
    [Fact]
    public void Only_the_top_two_bits_of_the_last_byte_are_cleared_in_a_copy()
    {
        var chain = Enumerable.Range(0, 32).Select(i => (byte)(0xc0 | i)).ToArray();

        var r = PoStRandomness.ToFieldElement(chain);

        Assert.Equal(chain[..31], r[..31]);
        Assert.Equal(0x1f, r[31]);
        Assert.Equal(0xdf, chain[31]);
        Assert.Equal(r, PoStRandomness.ToFieldElement(r));
    }

    [Fact]
    public void Randomness_of_another_length_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => PoStRandomness.ToFieldElement(new byte[31]));
        Assert.Contains("got 31", e.Message, StringComparison.Ordinal);
    }
}
