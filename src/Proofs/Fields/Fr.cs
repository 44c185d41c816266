using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Kiln.Proofs.Fields;

/// <summary>
/// An element of Fr, the BLS12-381 scalar field (p = 0x73eda753…00000001, 255 bits), the field of
/// every Filecoin tree node, label and commitment. Held in Montgomery form (x·2^256 mod p) as four
/// 64-bit limbs, least significant first; every external encoding is canonical: 32 little-endian
/// bytes of the value itself, as <c>fr32::bytes_into_fr</c> / <c>fr_into_bytes</c> use.
/// </summary>
public readonly struct Fr : IEquatable<Fr>
{
    /// <summary>Bytes in the canonical encoding.</summary>
    public const int ByteLength = 32;

    // p as little-endian limbs.
    internal const ulong P0 = 0xffffffff00000001;
    internal const ulong P1 = 0x53bda402fffe5bfe;
    internal const ulong P2 = 0x3339d80809a1d805;
    internal const ulong P3 = 0x73eda753299d7d48;

    /// <summary>−p⁻¹ mod 2^64, the Montgomery reduction factor: −(2^32 + 1), so multiplying by it is a shift and an add.</summary>
    internal const ulong Inv = 0xfffffffeffffffff;

    // R = 2^256 mod p (the Montgomery form of 1).
    private const ulong R0 = 0x00000001fffffffe;
    private const ulong R1 = 0x5884b7fa00034802;
    private const ulong R2 = 0x998c4fefecbc4ff5;
    private const ulong R3 = 0x1824b159acc5056f;

    // R² mod p: multiplying by it takes a canonical value into Montgomery form.
    private const ulong Rr0 = 0xc999e990f3f29c6d;
    private const ulong Rr1 = 0x2b6cedcb87925c23;
    private const ulong Rr2 = 0x05d314967254398f;
    private const ulong Rr3 = 0x0748d9d99f59ff11;

    internal readonly ulong L0;
    internal readonly ulong L1;
    internal readonly ulong L2;
    internal readonly ulong L3;

    /// <summary>Wraps limbs that already are the Montgomery form of a value below p.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Fr(ulong l0, ulong l1, ulong l2, ulong l3)
    {
        L0 = l0;
        L1 = l1;
        L2 = l2;
        L3 = l3;
    }

    /// <summary>The modulus p.</summary>
    public static BigInteger Modulus { get; } = new BigInteger(
        [0x01, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xfe, 0x5b, 0xfe, 0xff, 0x02, 0xa4, 0xbd, 0x53, 0x05, 0xd8, 0xa1, 0x09, 0x08, 0xd8, 0x39, 0x33, 0x48, 0x7d, 0x9d, 0x29, 0x53, 0xa7, 0xed, 0x73],
        isUnsigned: true);

    public static Fr Zero => default;

    public static Fr One => new(R0, R1, R2, R3);

    public bool IsZero => (L0 | L1 | L2 | L3) == 0;

    /// <summary>The small integer <paramref name="value"/> as a field element.</summary>
    public static Fr FromUInt64(ulong value) => ToMontgomery(value, 0, 0, 0);

    /// <summary>
    /// Decodes the canonical 32-byte little-endian encoding. Values ≥ p are rejected, as
    /// rust-fil-proofs rejects them (<c>Fr::from_repr</c> fails, "Invalid commitment").
    /// </summary>
    /// <exception cref="ProofsException">The bytes encode a value ≥ p.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Fr FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (!TryFromBytes(bytes, out var value))
        {
            ThrowNonCanonical(bytes);
        }

        return value;
    }

    /// <summary>Decodes the canonical encoding; false when the value is ≥ p.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryFromBytes(ReadOnlySpan<byte> bytes, out Fr value)
    {
        if (bytes.Length != ByteLength)
        {
            ThrowLength(bytes.Length);
        }

        var l0 = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var l1 = BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]);
        var l2 = BinaryPrimitives.ReadUInt64LittleEndian(bytes[16..]);
        var l3 = BinaryPrimitives.ReadUInt64LittleEndian(bytes[24..]);
        if (!IsBelowModulus(l0, l1, l2, l3))
        {
            value = default;
            return false;
        }

        value = ToMontgomery(l0, l1, l2, l3);
        return true;
    }

    /// <summary>
    /// Adds (or with <paramref name="subtract"/>, subtracts) whole arrays of canonical encodings
    /// element by element, mod p, without leaving the canonical form (addition is the same in
    /// Montgomery and canonical form): the replica encoding replica = data + key and its inverse.
    /// </summary>
    /// <returns>The index of the first element of <paramref name="a"/> or <paramref name="b"/> that is not below p, or −1.</returns>
    public static long AddCanonical(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> result, bool subtract = false)
    {
        if (a.Length % ByteLength != 0 || b.Length != a.Length || result.Length < a.Length)
        {
            throw new ArgumentException($"inputs must be equal whole numbers of {ByteLength}-byte elements and the result must hold them");
        }

        for (var i = 0; i < a.Length; i += ByteLength)
        {
            var x = Raw(a.Slice(i, ByteLength));
            var y = Raw(b.Slice(i, ByteLength));
            if (!IsBelowModulus(x.L0, x.L1, x.L2, x.L3) || !IsBelowModulus(y.L0, y.L1, y.L2, y.L3))
            {
                return i / ByteLength;
            }

            var z = subtract ? Sub(x, y) : Add(x, y);
            var o = result.Slice(i, ByteLength);
            BinaryPrimitives.WriteUInt64LittleEndian(o, z.L0);
            BinaryPrimitives.WriteUInt64LittleEndian(o[8..], z.L1);
            BinaryPrimitives.WriteUInt64LittleEndian(o[16..], z.L2);
            BinaryPrimitives.WriteUInt64LittleEndian(o[24..], z.L3);
        }

        return -1;

        static Fr Raw(ReadOnlySpan<byte> e) => new(
            BinaryPrimitives.ReadUInt64LittleEndian(e),
            BinaryPrimitives.ReadUInt64LittleEndian(e[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(e[16..]),
            BinaryPrimitives.ReadUInt64LittleEndian(e[24..]));
    }

    /// <summary>
    /// Decodes 32 bytes after clearing the two top bits of byte 31 (<c>bytes_into_fr_repr_safe</c>,
    /// an SDR label or replica id): every such value is below 2^254 &lt; p, so this never fails.
    /// </summary>
    public static Fr FromTrimmedBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != ByteLength)
        {
            ThrowLength(bytes.Length);
        }

        return ToMontgomery(
            BinaryPrimitives.ReadUInt64LittleEndian(bytes),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[16..]),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[24..]) & 0x3FFFFFFFFFFFFFFF);
    }

    /// <summary>The value from four canonical limbs, least significant first (the form neptune's test vectors use).</summary>
    /// <exception cref="ProofsException">The limbs encode a value ≥ p.</exception>
    public static Fr FromLimbs(ulong l0, ulong l1, ulong l2, ulong l3)
    {
        if (!IsBelowModulus(l0, l1, l2, l3))
        {
            throw new ProofsException("limbs encode a value not below the field modulus");
        }

        return ToMontgomery(l0, l1, l2, l3);
    }

    /// <summary>The value modulo p (any integer, negative ones included).</summary>
    public static Fr FromBigInteger(BigInteger value)
    {
        var reduced = BigInteger.Remainder(value, Modulus);
        if (reduced.Sign < 0)
        {
            reduced += Modulus;
        }

        Span<byte> bytes = stackalloc byte[ByteLength];
        bytes.Clear();
        reduced.TryWriteBytes(bytes, out _, isUnsigned: true);
        return FromBytes(bytes);
    }

    /// <summary>Writes the canonical 32-byte little-endian encoding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteBytes(Span<byte> destination)
    {
        if (destination.Length < ByteLength)
        {
            ThrowLength(destination.Length);
        }

        var c = FromMontgomery(this);
        BinaryPrimitives.WriteUInt64LittleEndian(destination, c.L0);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], c.L1);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], c.L2);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[24..], c.L3);
    }

    public byte[] ToBytes()
    {
        var bytes = new byte[ByteLength];
        WriteBytes(bytes);
        return bytes;
    }

    public BigInteger ToBigInteger()
    {
        Span<byte> bytes = stackalloc byte[ByteLength];
        WriteBytes(bytes);
        return new BigInteger(bytes, isUnsigned: true);
    }

    public static Fr operator +(Fr a, Fr b) => Add(a, b);

    public static Fr operator -(Fr a, Fr b) => Sub(a, b);

    public static Fr operator -(Fr a) => Sub(default, a);

    public static Fr operator *(Fr a, Fr b) => Mul(a, b);

    public static bool operator ==(Fr left, Fr right) => left.Equals(right);

    public static bool operator !=(Fr left, Fr right) => !left.Equals(right);

    public Fr Square() => Mul(this, this);

    /// <summary>x^5, the Poseidon S-box.</summary>
    public Fr Pow5() => Quintic(this);

    /// <summary>this^exponent.</summary>
    public Fr Pow(ulong exponent) => Pow(this, [exponent]);

    /// <summary>this^exponent for a big exponent given as little-endian 64-bit limbs.</summary>
    public Fr Pow(ReadOnlySpan<ulong> exponent) => Pow(this, exponent);

    /// <summary>The multiplicative inverse, x^(p−2) (Fermat).</summary>
    /// <exception cref="DivideByZeroException">The element is zero.</exception>
    public Fr Inverse()
    {
        if (IsZero)
        {
            throw new DivideByZeroException("zero has no inverse in Fr");
        }

        return Pow(this, [P0 - 2, P1, P2, P3]);
    }

    public bool Equals(Fr other) => ((L0 ^ other.L0) | (L1 ^ other.L1) | (L2 ^ other.L2) | (L3 ^ other.L3)) == 0;

    public override bool Equals(object? obj) => obj is Fr other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(L0, L1, L2, L3);

    /// <summary>The value as 0x-prefixed big-endian hex (64 digits), as ff's Debug output shows it.</summary>
    public override string ToString()
    {
        var c = FromMontgomery(this);
        return string.Create(CultureInfo.InvariantCulture, $"0x{c.L3:x16}{c.L2:x16}{c.L1:x16}{c.L0:x16}");
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Fr Add(in Fr a, in Fr b)
    {
        // a, b < p < 2^255: the sum fits in 256 bits.
        var s0 = a.L0 + b.L0;
        var c = s0 < a.L0 ? 1UL : 0UL;
        var s1 = AddCarry(a.L1, b.L1, ref c);
        var s2 = AddCarry(a.L2, b.L2, ref c);
        var s3 = a.L3 + b.L3 + c;
        return Reduce(s0, s1, s2, s3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Fr Sub(in Fr a, in Fr b)
    {
        ulong borrow = 0;
        var d0 = SubBorrow(a.L0, b.L0, ref borrow);
        var d1 = SubBorrow(a.L1, b.L1, ref borrow);
        var d2 = SubBorrow(a.L2, b.L2, ref borrow);
        var d3 = SubBorrow(a.L3, b.L3, ref borrow);

        // On borrow add p back (mask is all ones then).
        var mask = 0UL - borrow;
        ulong c = 0;
        d0 = AddCarry(d0, P0 & mask, ref c);
        d1 = AddCarry(d1, P1 & mask, ref c);
        d2 = AddCarry(d2, P2 & mask, ref c);
        d3 += (P3 & mask) + c;
        return new Fr(d0, d1, d2, d3);
    }

    /// <summary>
    /// Σ a[k]·b[k] for k &lt; n with one Montgomery reduction instead of n: the 512-bit products are
    /// summed column by column (product scanning) into nine words, reduced once, and the result,
    /// below (n·p/2^256 + 1)·p, brought under p by subtracting 2^k·p where it fits. For the
    /// matrix rows of Poseidon (n ≤ 37 terms) this roughly halves the cost of a dot product.
    /// </summary>
    internal static Fr SumOfProducts(ref readonly Fr a, ref readonly Fr b, int n)
    {
        ulong c0 = 0, c1 = 0, c2 = 0;
        ulong r0, r1, r2, r3, r4, r5, r6, r7, r8;

        // Column 0: a0·b0.
        for (var x = 0; x < n; x++)
        {
            ref readonly var ax = ref Unsafe.Add(ref Unsafe.AsRef(in a), x);
            ref readonly var bx = ref Unsafe.Add(ref Unsafe.AsRef(in b), x);
            Accumulate(ax.L0, bx.L0, ref c0, ref c1, ref c2);
        }

        r0 = NextWord(ref c0, ref c1, ref c2);

        // Column 1: a0·b1, a1·b0.
        for (var x = 0; x < n; x++)
        {
            ref readonly var ax = ref Unsafe.Add(ref Unsafe.AsRef(in a), x);
            ref readonly var bx = ref Unsafe.Add(ref Unsafe.AsRef(in b), x);
            Accumulate(ax.L0, bx.L1, ref c0, ref c1, ref c2);
            Accumulate(ax.L1, bx.L0, ref c0, ref c1, ref c2);
        }

        r1 = NextWord(ref c0, ref c1, ref c2);

        // Column 2: a0·b2, a1·b1, a2·b0.
        for (var x = 0; x < n; x++)
        {
            ref readonly var ax = ref Unsafe.Add(ref Unsafe.AsRef(in a), x);
            ref readonly var bx = ref Unsafe.Add(ref Unsafe.AsRef(in b), x);
            Accumulate(ax.L0, bx.L2, ref c0, ref c1, ref c2);
            Accumulate(ax.L1, bx.L1, ref c0, ref c1, ref c2);
            Accumulate(ax.L2, bx.L0, ref c0, ref c1, ref c2);
        }

        r2 = NextWord(ref c0, ref c1, ref c2);

        // Column 3: a0·b3, a1·b2, a2·b1, a3·b0.
        for (var x = 0; x < n; x++)
        {
            ref readonly var ax = ref Unsafe.Add(ref Unsafe.AsRef(in a), x);
            ref readonly var bx = ref Unsafe.Add(ref Unsafe.AsRef(in b), x);
            Accumulate(ax.L0, bx.L3, ref c0, ref c1, ref c2);
            Accumulate(ax.L1, bx.L2, ref c0, ref c1, ref c2);
            Accumulate(ax.L2, bx.L1, ref c0, ref c1, ref c2);
            Accumulate(ax.L3, bx.L0, ref c0, ref c1, ref c2);
        }

        r3 = NextWord(ref c0, ref c1, ref c2);

        // Column 4: a1·b3, a2·b2, a3·b1.
        for (var x = 0; x < n; x++)
        {
            ref readonly var ax = ref Unsafe.Add(ref Unsafe.AsRef(in a), x);
            ref readonly var bx = ref Unsafe.Add(ref Unsafe.AsRef(in b), x);
            Accumulate(ax.L1, bx.L3, ref c0, ref c1, ref c2);
            Accumulate(ax.L2, bx.L2, ref c0, ref c1, ref c2);
            Accumulate(ax.L3, bx.L1, ref c0, ref c1, ref c2);
        }

        r4 = NextWord(ref c0, ref c1, ref c2);

        // Column 5: a2·b3, a3·b2.
        for (var x = 0; x < n; x++)
        {
            ref readonly var ax = ref Unsafe.Add(ref Unsafe.AsRef(in a), x);
            ref readonly var bx = ref Unsafe.Add(ref Unsafe.AsRef(in b), x);
            Accumulate(ax.L2, bx.L3, ref c0, ref c1, ref c2);
            Accumulate(ax.L3, bx.L2, ref c0, ref c1, ref c2);
        }

        r5 = NextWord(ref c0, ref c1, ref c2);

        // Column 6: a3·b3.
        for (var x = 0; x < n; x++)
        {
            ref readonly var ax = ref Unsafe.Add(ref Unsafe.AsRef(in a), x);
            ref readonly var bx = ref Unsafe.Add(ref Unsafe.AsRef(in b), x);
            Accumulate(ax.L3, bx.L3, ref c0, ref c1, ref c2);
        }

        r6 = NextWord(ref c0, ref c1, ref c2);

        r7 = c0;
        r8 = c1;

        MontgomeryReduce(r0, r1, r2, r3, ref r4, ref r5, ref r6, ref r7, ref r8);

        var steps = n <= 2 ? 1 : n <= 6 ? 2 : n <= 15 ? 3 : n <= 33 ? 4 : 5;
        for (var k = steps - 1; k >= 0; k--)
        {
            SubtractIfAtLeast(ref r4, ref r5, ref r6, ref r7, ref r8, k);
        }

        return new Fr(r4, r5, r6, r7);
    }

    /// <summary>The finished low word of a column sum; the three-word accumulator moves up one word.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong NextWord(ref ulong c0, ref ulong c1, ref ulong c2)
    {
        var word = c0;
        c0 = c1;
        c1 = c2;
        c2 = 0;
        return word;
    }

    /// <summary>
    /// Montgomery reduction of the nine-word T = r0..r8: four times, add the multiple of p that
    /// clears the lowest word (carries run up to r8). Leaves (T + M·p) / 2^256 in r4..r8.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MontgomeryReduce(ulong r0, ulong r1, ulong r2, ulong r3, ref ulong r4, ref ulong r5, ref ulong r6, ref ulong r7, ref ulong r8)
    {
        var m = LowWordFactor(r0);
        var carry = FirstCarry(m, r0);
        carry = MulAdd(m, P1, r1, carry, out r1);
        carry = MulAdd(m, P2, r2, carry, out r2);
        carry = MulAdd(m, P3, r3, carry, out r3);
        r4 += carry;
        carry = r4 < carry ? 1UL : 0UL;
        r5 = AddCarry(r5, 0, ref carry);
        r6 = AddCarry(r6, 0, ref carry);
        r7 = AddCarry(r7, 0, ref carry);
        r8 += carry;

        m = LowWordFactor(r1);
        carry = FirstCarry(m, r1);
        carry = MulAdd(m, P1, r2, carry, out r2);
        carry = MulAdd(m, P2, r3, carry, out r3);
        carry = MulAdd(m, P3, r4, carry, out r4);
        r5 += carry;
        carry = r5 < carry ? 1UL : 0UL;
        r6 = AddCarry(r6, 0, ref carry);
        r7 = AddCarry(r7, 0, ref carry);
        r8 += carry;

        m = LowWordFactor(r2);
        carry = FirstCarry(m, r2);
        carry = MulAdd(m, P1, r3, carry, out r3);
        carry = MulAdd(m, P2, r4, carry, out r4);
        carry = MulAdd(m, P3, r5, carry, out r5);
        r6 += carry;
        carry = r6 < carry ? 1UL : 0UL;
        r7 = AddCarry(r7, 0, ref carry);
        r8 += carry;

        m = LowWordFactor(r3);
        carry = FirstCarry(m, r3);
        carry = MulAdd(m, P1, r4, carry, out r4);
        carry = MulAdd(m, P2, r5, carry, out r5);
        carry = MulAdd(m, P3, r6, carry, out r6);
        r7 += carry;
        carry = r7 < carry ? 1UL : 0UL;
        r8 += carry;
    }

    /// <summary>x -= 2^k·p when x ≥ 2^k·p, on a five-word x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SubtractIfAtLeast(ref ulong x0, ref ulong x1, ref ulong x2, ref ulong x3, ref ulong x4, int k)
    {
        // 2^k·p in five words (k < 64; p has bit 255 clear, so k ≤ 4 never loses bits).
        var q0 = P0 << k;
        var q1 = (P1 << k) | (k == 0 ? 0 : P0 >> (64 - k));
        var q2 = (P2 << k) | (k == 0 ? 0 : P1 >> (64 - k));
        var q3 = (P3 << k) | (k == 0 ? 0 : P2 >> (64 - k));
        var q4 = k == 0 ? 0 : P3 >> (64 - k);
        ulong borrow = 0;
        var d0 = SubBorrow(x0, q0, ref borrow);
        var d1 = SubBorrow(x1, q1, ref borrow);
        var d2 = SubBorrow(x2, q2, ref borrow);
        var d3 = SubBorrow(x3, q3, ref borrow);
        var d4 = SubBorrow(x4, q4, ref borrow);
        var keep = 0UL - borrow;
        x0 = (x0 & keep) | (d0 & ~keep);
        x1 = (x1 & keep) | (d1 & ~keep);
        x2 = (x2 & keep) | (d2 & ~keep);
        x3 = (x3 & keep) | (d3 & ~keep);
        x4 = (x4 & keep) | (d4 & ~keep);
    }

    /// <summary>(c2, c1, c0) += a·b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate(ulong a, ulong b, ref ulong c0, ref ulong c1, ref ulong c2)
    {
        var lo = a * b;
        var hi = Bmi2.X64.IsSupported ? Bmi2.X64.MultiplyNoFlags(a, b) : MulHigh(a, b);
        c0 += lo;
        hi += c0 < lo ? 1UL : 0UL;
        c1 += hi;
        c2 += c1 < hi ? 1UL : 0UL;
    }

    /// <summary>
    /// Montgomery product a·b·2^-256 mod p, separated: the 512-bit product by columns (product
    /// scanning: each column's 128-bit products summed in three words), then Montgomery reduction
    /// word by word, then one conditional subtraction (the result is below 2p). Fully unrolled so
    /// the JIT keeps the words in registers; C# has no add-with-carry, and this order needs fewer
    /// carry checks than interleaving the reduction (CIOS).
    /// </summary>
    internal static Fr Mul(in Fr a, in Fr b)
    {
        ulong a0 = a.L0, a1 = a.L1, a2 = a.L2, a3 = a.L3;
        ulong b0 = b.L0, b1 = b.L1, b2 = b.L2, b3 = b.L3;
        ulong c0 = 0, c1 = 0, c2 = 0;
        ulong r0, r1, r2, r3, r4, r5, r6, r7;
        Accumulate(a0, b0, ref c0, ref c1, ref c2);
        r0 = NextWord(ref c0, ref c1, ref c2);
        Accumulate(a0, b1, ref c0, ref c1, ref c2);
        Accumulate(a1, b0, ref c0, ref c1, ref c2);
        r1 = NextWord(ref c0, ref c1, ref c2);
        Accumulate(a0, b2, ref c0, ref c1, ref c2);
        Accumulate(a1, b1, ref c0, ref c1, ref c2);
        Accumulate(a2, b0, ref c0, ref c1, ref c2);
        r2 = NextWord(ref c0, ref c1, ref c2);
        Accumulate(a0, b3, ref c0, ref c1, ref c2);
        Accumulate(a1, b2, ref c0, ref c1, ref c2);
        Accumulate(a2, b1, ref c0, ref c1, ref c2);
        Accumulate(a3, b0, ref c0, ref c1, ref c2);
        r3 = NextWord(ref c0, ref c1, ref c2);
        Accumulate(a1, b3, ref c0, ref c1, ref c2);
        Accumulate(a2, b2, ref c0, ref c1, ref c2);
        Accumulate(a3, b1, ref c0, ref c1, ref c2);
        r4 = NextWord(ref c0, ref c1, ref c2);
        Accumulate(a2, b3, ref c0, ref c1, ref c2);
        Accumulate(a3, b2, ref c0, ref c1, ref c2);
        r5 = NextWord(ref c0, ref c1, ref c2);
        Accumulate(a3, b3, ref c0, ref c1, ref c2);
        r6 = NextWord(ref c0, ref c1, ref c2);
        r7 = c0;

        // The reduced value (T + M·p) / 2^256 is below 2p: it fits r4..r7 and r8 stays 0.
        ulong r8 = 0;
        MontgomeryReduce(r0, r1, r2, r3, ref r4, ref r5, ref r6, ref r7, ref r8);
        return Reduce(r4, r5, r6, r7);
    }

    /// <summary>x^5 = (x²)²·x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Fr Quintic(in Fr x)
    {
        var x2 = Mul(x, x);
        var x4 = Mul(x2, x2);
        return Mul(x4, x);
    }

    /// <summary>m = t0·(−p⁻¹) mod 2^64 = −t0·(2^32 + 1): the multiple of p that clears word t0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong LowWordFactor(ulong t0) => 0UL - (t0 + (t0 << 32));

    /// <summary>
    /// The carry out of t0 + m·p0 whose low word is zero by the choice of m, without a multiply:
    /// p0 = 2^64 − 2^32 + 1, so hi(m·p0) = m − (m >> 32) − [m &lt; (m &lt;&lt; 32) mod 2^64], and the
    /// low words sum to exactly 2^64 unless t0 is 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong FirstCarry(ulong m, ulong t0)
    {
        var shifted = m << 32;
        var high = m - (m >> 32) - (m < shifted ? 1UL : 0UL);
        return high + (t0 != 0 ? 1UL : 0UL);
    }

    /// <summary>Subtracts p once when the value (below 2p) is at least p.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Fr Reduce(ulong t0, ulong t1, ulong t2, ulong t3)
    {
        ulong borrow = 0;
        var d0 = SubBorrow(t0, P0, ref borrow);
        var d1 = SubBorrow(t1, P1, ref borrow);
        var d2 = SubBorrow(t2, P2, ref borrow);
        var d3 = SubBorrow(t3, P3, ref borrow);

        // borrow = 1: t < p, keep t.
        var keep = 0UL - borrow;
        return new Fr((t0 & keep) | (d0 & ~keep), (t1 & keep) | (d1 & ~keep), (t2 & keep) | (d2 & ~keep), (t3 & keep) | (d3 & ~keep));
    }

    /// <summary>a·b + c + d (cannot overflow 128 bits): returns the high word.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong MulAdd(ulong a, ulong b, ulong c, ulong d, out ulong lo)
    {
        var l = a * b;
        var h = Bmi2.X64.IsSupported ? Bmi2.X64.MultiplyNoFlags(a, b) : MulHigh(a, b);
        l += c;
        h += l < c ? 1UL : 0UL;
        l += d;
        h += l < d ? 1UL : 0UL;
        lo = l;
        return h;
    }

    /// <summary>
    /// The high word of a·b where BMI2's mulx is missing (callers test for it inline, so on x64 the
    /// JIT never sees this call). The low word is always a plain multiply: taking both halves from
    /// Math.BigMul passes the low one through memory, which costs more than the second multiply.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong MulHigh(ulong a, ulong b)
    {
        if (ArmBase.Arm64.IsSupported)
        {
            return ArmBase.Arm64.MultiplyHigh(a, b);
        }

        return Math.BigMul(a, b, out _);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong AddCarry(ulong a, ulong b, ref ulong carry)
    {
        var sum = a + b + carry;
        carry = ((a & b) | ((a | b) & ~sum)) >> 63;
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong SubBorrow(ulong a, ulong b, ref ulong borrow)
    {
        var diff = a - b - borrow;
        borrow = ((~a & b) | (~(a ^ b) & diff)) >> 63;
        return diff;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsBelowModulus(ulong l0, ulong l1, ulong l2, ulong l3)
    {
        ulong borrow = 0;
        SubBorrow(l0, P0, ref borrow);
        SubBorrow(l1, P1, ref borrow);
        SubBorrow(l2, P2, ref borrow);
        SubBorrow(l3, P3, ref borrow);
        return borrow != 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Fr ToMontgomery(ulong l0, ulong l1, ulong l2, ulong l3)
        => Mul(new Fr(l0, l1, l2, l3), new Fr(Rr0, Rr1, Rr2, Rr3));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Fr FromMontgomery(in Fr x) => Mul(x, new Fr(1, 0, 0, 0));

    private static Fr Pow(Fr x, ReadOnlySpan<ulong> exponent)
    {
        var result = One;
        for (var i = exponent.Length - 1; i >= 0; i--)
        {
            for (var bit = 63; bit >= 0; bit--)
            {
                result = Mul(result, result);
                if (((exponent[i] >> bit) & 1) != 0)
                {
                    result = Mul(result, x);
                }
            }
        }

        return result;
    }

    [DoesNotReturn]
    private static void ThrowNonCanonical(ReadOnlySpan<byte> bytes)
        => throw new ProofsException($"{Convert.ToHexStringLower(bytes)} is not a canonical field element (its little-endian value is not below p)");

    [DoesNotReturn]
    private static void ThrowLength(int length)
        => throw new ArgumentException($"a field element is {ByteLength} bytes, got {length}");
}
