using Kiln.Proofs.Sdr;

namespace Kiln.Proofs.Tests.Sdr;

public class FeistelTests
{
    private static readonly ulong[] TestKeys = [1, 2, 3, 4];

    [Theory]
    [InlineData(0UL, 1UL, 0xebac1b9148efb974UL)]
    [InlineData(1UL, 2UL, 0x94e75c9cad6c7744UL)]
    [InlineData(12345UL, 0x35a20d6c881b3e73UL, 0x02422311f086245cUL)]
    public void Round_function_raw_values(ulong right, ulong key, ulong expected)
    {
        Assert.Equal(expected, Feistel.RoundRaw(right, key));
    }

    [Fact]
    public void Single_encode_and_cycle_walked_permute_with_keys_1_2_3()
    {
        var f = new Feistel(512, TestKeys);
        Assert.Equal(5, f.HalfBits);
        Assert.Equal(31UL, f.RightMask);
        Assert.Equal(992UL, f.LeftMask);
        ulong[] encoded = [722, 111, 8, 582, 910, 209, 999, 526];
        ulong[] permuted = [505, 111, 8, 479, 200, 209, 463, 448];
        for (ulong x = 0; x < 8; x++)
        {
            Assert.Equal(encoded[x], f.Encode(x));
            Assert.Equal(permuted[x], f.Permute(x));
        }
    }

    [Theory]
    [InlineData(64UL * 8, 5)]
    [InlineData(128UL * 8, 5)]
    [InlineData((1UL << 18) * 8, 11)]
    [InlineData((1UL << 24) * 8, 14)]
    [InlineData((1UL << 30) * 8, 17)]
    [InlineData((1UL << 31) * 8, 17)]
    public void Half_bits_per_sector_size(ulong numElements, int halfBits)
    {
        var f = new Feistel(numElements, TestKeys);
        Assert.Equal(halfBits, f.HalfBits);
        Assert.Equal((1UL << halfBits) - 1, f.RightMask);
    }

    [Fact]
    public void Table_driven_encode_equals_the_direct_round_function()
    {
        // 8 MiB domain: 11-bit halves.
        var f = new Feistel((1UL << 18) * 8, TestKeys);
        foreach (var x in new ulong[] { 0, 1, 12345, 1 << 20, (1UL << 21) - 1, 3_000_000 })
        {
            var left = (x & f.LeftMask) >> f.HalfBits;
            var right = x & f.RightMask;
            for (var k = 0; k < Feistel.Rounds; k++)
            {
                (left, right) = (right, left ^ (Feistel.RoundRaw(right, TestKeys[k]) & f.RightMask));
            }

            Assert.Equal((left << f.HalfBits) | right, f.Encode(x));
        }
    }

    [Fact]
    public void Permute_is_a_bijection_on_a_non_power_of_four_range()
    {
        const int n = 1000;
        var f = new Feistel(n, TestKeys);
        var seen = new bool[n];
        for (ulong x = 0; x < n; x++)
        {
            var y = f.Permute(x);
            Assert.True(y < n);
            Assert.False(seen[y]);
            seen[y] = true;
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => f.Permute(n));
    }
}
