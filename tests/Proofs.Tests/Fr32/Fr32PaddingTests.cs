using Kiln.Proofs.Fr32;

namespace Kiln.Proofs.Tests.Fr32;

public class Fr32PaddingTests
{
    private const string CountingVector =
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f8084888c9094989ca0a4a8acb0b4b8bcc0c4c8ccd0d4d8dce0e4e8ecf0f4f83c03142434445464748494a4b4c4d4e4f404152535455565758595a5b5c5d5e535175898d8185999d9195a9ada1a5b9bdb1b5c9cdc1c5d9ddd1d5e9ede1e5f9f1f";

    [Fact]
    public void Pad_counting_block_matches_vector()
    {
        var input = new byte[127];
        for (var i = 0; i < input.Length; i++)
        {
            input[i] = (byte)i;
        }

        var padded = new byte[128];
        Fr32Padding.Pad(input, padded);

        Assert.Equal(CountingVector, Convert.ToHexStringLower(padded));
    }

    [Fact]
    public void Pad_all_ones_clears_the_top_two_bits_of_each_element()
    {
        var input = Enumerable.Repeat((byte)0xff, 127).ToArray();
        var padded = new byte[128];
        Fr32Padding.Pad(input, padded);

        var element = string.Concat(Enumerable.Repeat("ff", 31)) + "3f";
        Assert.Equal(string.Concat(Enumerable.Repeat(element, 4)), Convert.ToHexStringLower(padded));
    }

    [Fact]
    public void Unpad_of_vectors_gives_back_the_input()
    {
        var unpadded = new byte[127];
        Fr32Padding.Unpad(Convert.FromHexString(CountingVector), unpadded);

        Assert.Equal(Enumerable.Range(0, 127).Select(i => (byte)i).ToArray(), unpadded);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(17)]
    [InlineData(256)]
    public void Pad_matches_a_bitwise_reference_and_round_trips(int blocks)
    {
        var input = new byte[blocks * 127];
        new Random(blocks).NextBytes(input);
        var padded = new byte[blocks * 128];
        Fr32Padding.Pad(input, padded);

        Assert.Equal(ReferencePad(input), padded);

        var back = new byte[input.Length];
        Fr32Padding.Unpad(padded, back);
        Assert.Equal(input, back);
    }

    [Fact]
    public void Unpad_ignores_the_two_top_bits()
    {
        var input = new byte[127];
        new Random(7).NextBytes(input);
        var padded = new byte[128];
        Fr32Padding.Pad(input, padded);
        padded[31] |= 0xc0;
        padded[127] |= 0xc0;

        var back = new byte[127];
        Fr32Padding.Unpad(padded, back);
        Assert.Equal(input, back);
    }

    [Fact]
    public void Pad_rejects_partial_blocks()
    {
        Assert.Throws<ArgumentException>(() => Fr32Padding.Pad(new byte[126], new byte[128]));
        Assert.Throws<ArgumentException>(() => Fr32Padding.Pad(new byte[127], new byte[127]));
        Assert.Throws<ArgumentException>(() => Fr32Padding.Unpad(new byte[129], new byte[254]));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 32)]
    [InlineData(30, 32)]
    [InlineData(31, 32)]
    [InlineData(32, 64)]
    [InlineData(64, 96)]
    [InlineData(96, 128)]
    [InlineData(127, 128)]
    [InlineData(128, 160)]
    [InlineData(254, 256)]
    public void PaddedLength_follows_Fr32Reader(long unpadded, long padded)
    {
        Assert.Equal(padded, Fr32Padding.PaddedLength(unpadded));
    }

    /// <summary>Bit-by-bit padding: 254 data bits, then 2 zero bits, LSB-first.</summary>
    internal static byte[] ReferencePad(byte[] input)
    {
        var bits = input.Length * 8;
        var units = (bits + 253) / 254;
        var output = new byte[units * 32];
        for (var i = 0; i < bits; i++)
        {
            var bit = (input[i / 8] >> (i % 8)) & 1;
            var o = ((i / 254) * 256) + (i % 254);
            output[o / 8] |= (byte)(bit << (o % 8));
        }

        return output;
    }
}
