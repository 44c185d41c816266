using System.Numerics;
using Kiln.Proofs.Fields;

namespace Kiln.Proofs.Tests.Fields;

/// <summary>Fr against the BLS12-381 scalar field constants (the modulus and Montgomery form of blstrs' <c>Scalar</c>, the field
/// rust-fil-proofs and neptune hash over) and against BigInteger arithmetic mod p.</summary>
public class FrTests
{
    private static readonly BigInteger P = BigInteger.Parse("52435875175126190479447740508185965837690552500527637822603658699938581184513");

    [Fact]
    public void Modulus_matches_the_spec_in_every_form()
    {
        Assert.Equal(P, Fr.Modulus);
        Assert.Equal(255, (int)P.GetBitLength());
        Assert.Equal("01000000fffffffffe5bfeff02a4bd5305d8a10908d83933487d9d2953a7ed73", Convert.ToHexStringLower(P.ToByteArray(isUnsigned: true)));
        Assert.Equal(P, Limbs(Fr.P0, Fr.P1, Fr.P2, Fr.P3));
    }

    [Fact]
    public void Montgomery_constants_match_the_spec()
    {
        var r = BigInteger.One << 256;
        Assert.Equal(BigInteger.ModPow(r, 1, P), Limbs(0x00000001fffffffe, 0x5884b7fa00034802, 0x998c4fefecbc4ff5, 0x1824b159acc5056f));
        Assert.Equal(BigInteger.ModPow(r, 2, P), Limbs(0xc999e990f3f29c6d, 0x2b6cedcb87925c23, 0x05d314967254398f, 0x0748d9d99f59ff11));
        Assert.Equal(BigInteger.ModPow(r, 3, P), BigInteger.Parse("06e2a5bb9c8db33e973d13c71c7b5f4181b3e0d188cf06990c62c1807439b73af", System.Globalization.NumberStyles.HexNumber));

        // −p⁻¹ mod 2^64.
        var inv = BigInteger.ModPow(P % (BigInteger.One << 64), (BigInteger.One << 63) - 1, BigInteger.One << 64);
        Assert.Equal(BigInteger.One, (inv * (P % (BigInteger.One << 64))) % (BigInteger.One << 64));
        Assert.Equal((BigInteger.One << 64) - inv, new BigInteger(Fr.Inv));

        // One is R in Montgomery form; its canonical encoding is the integer 1.
        var one = Fr.One;
        Assert.Equal(Limbs(one.L0, one.L1, one.L2, one.L3), BigInteger.ModPow(r, 1, P));
        Assert.Equal(BigInteger.One, one.ToBigInteger());
        Assert.Equal("0x0000000000000000000000000000000000000000000000000000000000000001", one.ToString());
        Assert.True(Fr.Zero.IsZero);
    }

    [Fact]
    public void Canonical_bytes_round_trip_and_values_at_or_above_p_are_rejected()
    {
        var pBytes = P.ToByteArray(isUnsigned: true);
        Assert.False(Fr.TryFromBytes(pBytes, out _));
        Assert.Throws<ProofsException>(() => Fr.FromBytes(pBytes));
        Assert.False(Fr.TryFromBytes(Enumerable.Repeat((byte)0xff, 32).ToArray(), out _));
        Assert.Throws<ArgumentException>(() => Fr.FromBytes(new byte[31]));

        var pMinusOne = (P - 1).ToByteArray(isUnsigned: true);
        var max = Fr.FromBytes(pMinusOne);
        Assert.Equal(pMinusOne, max.ToBytes());
        Assert.Equal(Fr.Zero, max + Fr.One);
        Assert.Equal(-Fr.One, max);

        // A trimmed SDR label: the top two bits of byte 31 are dropped, never rejected.
        var label = Enumerable.Repeat((byte)0xff, 32).ToArray();
        var trimmed = Fr.FromTrimmedBytes(label);
        label[31] &= 0x3F;
        Assert.Equal(label, trimmed.ToBytes());
        Assert.Equal((BigInteger.One << 254) - 1, trimmed.ToBigInteger());
        Assert.Throws<ProofsException>(() => Fr.FromLimbs(Fr.P0, Fr.P1, Fr.P2, Fr.P3));
    }

    [Fact]
    public void Inverse_round_trips_and_zero_has_none()
    {
        Assert.Equal(Fr.One, Fr.One.Inverse());
        Assert.Equal(Fr.FromBigInteger((P + 1) / 2), Fr.FromUInt64(2).Inverse());
        var rng = new Random(11);
        for (var i = 0; i < 20; i++)
        {
            var x = RandomFr(rng, out _);
            Assert.Equal(Fr.One, x * x.Inverse());
        }

        Assert.Throws<DivideByZeroException>(() => Fr.Zero.Inverse());
    }

    [Fact]
    public void Arithmetic_matches_BigInteger_on_random_and_edge_values()
    {
        var rng = new Random(20240611);
        var edges = new[] { BigInteger.Zero, BigInteger.One, P - 1, P - 2, (P - 1) / 2, (P + 1) / 2, BigInteger.One << 254, (BigInteger.One << 254) - 1, BigInteger.One << 64, (BigInteger.One << 128) - 1 };
        var values = edges.Select(e => (Fr.FromBigInteger(e), e)).ToList();
        for (var i = 0; i < 300; i++)
        {
            var f = RandomFr(rng, out var b);
            values.Add((f, b));
        }

        for (var i = 0; i < values.Count; i++)
        {
            var (x, bx) = values[i];
            var (y, by) = values[(i * 7 + 3) % values.Count];
            Assert.Equal(bx, x.ToBigInteger());
            Assert.Equal((bx + by) % P, (x + y).ToBigInteger());
            Assert.Equal(((bx - by) % P + P) % P, (x - y).ToBigInteger());
            Assert.Equal(bx * by % P, (x * y).ToBigInteger());
            Assert.Equal(bx * bx % P, x.Square().ToBigInteger());
            Assert.Equal(BigInteger.ModPow(bx, 5, P), x.Pow5().ToBigInteger());
            Assert.Equal((P - bx) % P, (-x).ToBigInteger());
            var e = (ulong)rng.NextInt64();
            Assert.Equal(BigInteger.ModPow(bx, e, P), x.Pow(e).ToBigInteger());
            var bytes = x.ToBytes();
            Assert.Equal(x, Fr.FromBytes(bytes));
            Assert.Equal(bx, new BigInteger(bytes, isUnsigned: true));
        }
    }

    [Fact]
    public void Field_laws_hold_on_seeded_random_elements()
    {
        var rng = new Random(7);
        for (var i = 0; i < 200; i++)
        {
            var a = RandomFr(rng, out _);
            var b = RandomFr(rng, out _);
            var c = RandomFr(rng, out _);
            Assert.Equal(a + b, b + a);
            Assert.Equal(a * b, b * a);
            Assert.Equal((a + b) + c, a + (b + c));
            Assert.Equal((a * b) * c, a * (b * c));
            Assert.Equal(a * (b + c), (a * b) + (a * c));
            Assert.Equal(a, a + b - b);
            Assert.Equal(Fr.Zero, a - a);
            Assert.Equal(a, a * Fr.One);
            Assert.Equal(a.GetHashCode(), Fr.FromBytes(a.ToBytes()).GetHashCode());
        }
    }

    [Fact]
    public void Sum_of_products_with_one_reduction_matches_term_by_term_sums()
    {
        var rng = new Random(37);
        // Largest Montgomery limbs possible (p − 1), the worst case for the unreduced sums.
        var max = new Fr(Fr.P0 - 1, Fr.P1, Fr.P2, Fr.P3);
        for (var n = 1; n <= 40; n++)
        {
            foreach (var extreme in new[] { false, true })
            {
                var a = new Fr[n];
                var b = new Fr[n];
                BigInteger expected = 0;
                for (var k = 0; k < n; k++)
                {
                    a[k] = extreme ? max : RandomFr(rng, out _);
                    b[k] = extreme ? max : RandomFr(rng, out _);
                    expected += a[k].ToBigInteger() * b[k].ToBigInteger();
                }

                Assert.Equal(expected % P, Fr.SumOfProducts(in a[0], in b[0], n).ToBigInteger());
                Assert.Equal(a[0].ToBigInteger() * b[0].ToBigInteger() % P, (a[0] * b[0]).ToBigInteger());
            }
        }
    }

    [Fact]
    public void FromBigInteger_reduces_any_integer()
    {
        Assert.Equal(Fr.Zero, Fr.FromBigInteger(P));
        Assert.Equal(Fr.One, Fr.FromBigInteger(P + 1));
        Assert.Equal(-Fr.One, Fr.FromBigInteger(-1));
        Assert.Equal(Fr.FromUInt64(5), Fr.FromBigInteger((P * 3) + 5));
    }

    private static Fr RandomFr(Random rng, out BigInteger value)
    {
        var bytes = new byte[32];
        rng.NextBytes(bytes);
        value = new BigInteger(bytes, isUnsigned: true) % P;
        return Fr.FromBigInteger(value);
    }

    private static BigInteger Limbs(ulong l0, ulong l1, ulong l2, ulong l3)
        => new BigInteger(l0) | (new BigInteger(l1) << 64) | (new BigInteger(l2) << 128) | (new BigInteger(l3) << 192);
}
