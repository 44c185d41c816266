using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Kiln.Proofs.Hashing;

namespace Kiln.Proofs.Sdr;

/// <summary>
/// The keyed Feistel permutation of <c>storage-proofs-core/src/crypto/feistel.rs</c> over
/// [0, <see cref="NumElements"/>): three rounds on a 2^(2·<see cref="HalfBits"/>) domain with
/// F(right, key) = BE64(BLAKE2b-512(BE64(right) ‖ BE64(key))[0..8]) &amp; right_mask, cycle-walked
/// back into range. Because F only sees the low <see cref="HalfBits"/> bits of its input, each
/// round is precomputed into a table of 2^<see cref="HalfBits"/> entries; the result is exact.
/// </summary>
public sealed class Feistel
{
    /// <summary>Rounds applied per encode (keys[0..3]; a fourth key, if given, is unused).</summary>
    public const int Rounds = 3;

    /// <summary>Tables with at least this many entries are filled in parallel.</summary>
    private const int ParallelTableThreshold = 1 << 12;

    private readonly uint[] _tables;
    private readonly int _tableSize;

    /// <summary>Precomputes the permutation of [0, <paramref name="numElements"/>) under <paramref name="keys"/>[0..3].</summary>
    public Feistel(ulong numElements, ReadOnlySpan<ulong> keys)
    {
        if (numElements < 1 || numElements > (1UL << 40))
        {
            throw new ArgumentOutOfRangeException(nameof(numElements), numElements, "the Feistel domain must hold 1 to 2^40 elements");
        }

        if (keys.Length < Rounds)
        {
            throw new ArgumentException($"the Feistel permutation needs {Rounds} keys, got {keys.Length}", nameof(keys));
        }

        NumElements = numElements;

        // feistel::precompute: the smallest power of 4 >= numElements gives the half width.
        var halfBits = 1;
        ulong p = 4;
        while (p < numElements)
        {
            p *= 4;
            halfBits++;
        }

        HalfBits = halfBits;
        RightMask = (1UL << halfBits) - 1;
        LeftMask = RightMask << halfBits;
        _tableSize = 1 << halfBits;
        _tables = new uint[Rounds * _tableSize];

        var k = keys[..Rounds].ToArray();
        var mask = RightMask;
        var size = _tableSize;
        var tables = _tables;
        if (size >= ParallelTableThreshold)
        {
            Parallel.For(0, Rounds * (size / ParallelTableThreshold), chunk =>
            {
                var start = chunk * ParallelTableThreshold;
                for (var i = start; i < start + ParallelTableThreshold; i++)
                {
                    tables[i] = (uint)(RoundRaw((ulong)(i % size), k[i / size]) & mask);
                }
            });
        }
        else
        {
            for (var i = 0; i < tables.Length; i++)
            {
                tables[i] = (uint)(RoundRaw((ulong)(i % size), k[i / size]) & mask);
            }
        }
    }

    /// <summary>Size of the permuted range.</summary>
    public ulong NumElements { get; }

    /// <summary>Bits in each Feistel half.</summary>
    public int HalfBits { get; }

    /// <summary>(1 &lt;&lt; HalfBits) − 1.</summary>
    public ulong RightMask { get; }

    /// <summary>RightMask &lt;&lt; HalfBits.</summary>
    public ulong LeftMask { get; }

    /// <summary>
    /// The unmasked round function: BLAKE2b-512 of BE64(<paramref name="right"/>) ‖ BE64(<paramref name="key"/>),
    /// first 8 digest bytes read big-endian.
    /// </summary>
    public static ulong RoundRaw(ulong right, ulong key)
    {
        Span<byte> data = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(data, right);
        BinaryPrimitives.WriteUInt64BigEndian(data[8..], key);
        Span<byte> digest = stackalloc byte[Blake2b.MaxDigestSize];
        Blake2b.HashData(data, digest);
        return BinaryPrimitives.ReadUInt64BigEndian(digest);
    }

    /// <summary>One 3-round encode on the full 2^(2·HalfBits) domain (no cycle walking).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Encode(ulong index)
    {
        ref var t = ref MemoryMarshal.GetArrayDataReference(_tables);
        var size = (nuint)_tableSize;
        var left = (uint)((index & LeftMask) >> HalfBits);
        var right = (uint)(index & RightMask);

        var next = left ^ Unsafe.Add(ref t, right);
        left = right;
        right = next;
        next = left ^ Unsafe.Add(ref t, size + right);
        left = right;
        right = next;
        next = left ^ Unsafe.Add(ref t, (2 * size) + right);
        left = right;
        right = next;

        return ((ulong)left << HalfBits) | right;
    }

    /// <summary><c>feistel::permute</c>: encode, then re-encode until the value is below <see cref="NumElements"/>.</summary>
    public ulong Permute(ulong index)
    {
        if (index >= NumElements)
        {
            ThrowOutOfRange(index);
        }

        var u = Encode(index);
        while (u >= NumElements)
        {
            u = Encode(u);
        }

        return u;
    }

    /// <summary>
    /// <paramref name="output"/>[i] = Permute(<paramref name="start"/> + i): the hot loop of parent generation,
    /// with the tables and masks held in locals.
    /// </summary>
    internal unsafe void PermuteRange(ulong start, Span<ulong> output)
    {
        var count = (ulong)output.Length;
        if (start > NumElements || count > NumElements - start)
        {
            ThrowOutOfRange(start + count);
        }

        var n = NumElements;
        var halfBits = HalfBits;
        var rightMask = (uint)RightMask;
        var leftMask = LeftMask;
        fixed (uint* t0 = _tables)
        fixed (ulong* o = output)
        {
            var t1 = t0 + _tableSize;
            var t2 = t1 + _tableSize;
            for (ulong i = 0; i < count; i++)
            {
                var x = start + i;
                do
                {
                    var left = (uint)((x & leftMask) >> halfBits);
                    var right = (uint)x & rightMask;
                    var next = left ^ t0[right];
                    left = right;
                    right = next;
                    next = left ^ t1[right];
                    left = right;
                    right = next;
                    next = left ^ t2[right];
                    x = ((ulong)right << halfBits) | next;
                }
                while (x >= n);

                o[i] = x;
            }
        }
    }

    /// <summary>
    /// Permutes the eight indices <paramref name="start"/> .. <paramref name="start"/> + 7 (<paramref name="start"/> a
    /// multiple of 8, all below <see cref="NumElements"/>) in the lanes of two vectors: result k =
    /// (<paramref name="left"/>[k] &lt;&lt; HalfBits) | <paramref name="right"/>[k]. Cycle walking re-encodes only the
    /// lanes still out of range. AVX2 only; the table lookups are gathers.
    /// </summary>
    internal unsafe void PermuteX8(ulong start, out Vector256<uint> left, out Vector256<uint> right)
    {
        var halfBits = (byte)HalfBits;
        var n = NumElements;
        // n >> halfBits can reach 2^(halfBits + 1) when n is the whole domain; lanes never exceed it then.
        var limitLeft = Vector256.Create((int)(n >> halfBits));
        var limitRightMinusOne = Vector256.Create((int)(n & RightMask) - 1);
        left = Vector256.Create((uint)(start >> halfBits));
        right = Avx2.Or(Vector256.Create((uint)(start & RightMask)), Vector256.Create(0u, 1, 2, 3, 4, 5, 6, 7));

        fixed (uint* t0 = _tables)
        {
            var t1 = t0 + _tableSize;
            var t2 = t1 + _tableSize;
            EncodeX8(t0, t1, t2, ref left, ref right);
            var outside = OutsideX8(left, right, limitLeft, limitRightMinusOne);
            while (!Avx.TestZ(outside, outside))
            {
                var l = left;
                var r = right;
                EncodeX8(t0, t1, t2, ref l, ref r);
                left = Avx2.BlendVariable(left, l, outside);
                right = Avx2.BlendVariable(right, r, outside);
                outside = OutsideX8(left, right, limitLeft, limitRightMinusOne);
            }
        }
    }

    private static unsafe void EncodeX8(uint* t0, uint* t1, uint* t2, ref Vector256<uint> left, ref Vector256<uint> right)
    {
        var next = Avx2.Xor(left, Avx2.GatherVector256(t0, right.AsInt32(), 4));
        left = right;
        right = next;
        next = Avx2.Xor(left, Avx2.GatherVector256(t1, right.AsInt32(), 4));
        left = right;
        right = next;
        next = Avx2.Xor(left, Avx2.GatherVector256(t2, right.AsInt32(), 4));
        left = right;
        right = next;
    }

    /// <summary>All-ones lanes where (left, right) ≥ NumElements, compared half by half (halves are below 2^31).</summary>
    private static Vector256<uint> OutsideX8(Vector256<uint> left, Vector256<uint> right, Vector256<int> limitLeft, Vector256<int> limitRightMinusOne)
    {
        var l = left.AsInt32();
        var above = Avx2.CompareGreaterThan(l, limitLeft);
        var equal = Avx2.CompareEqual(l, limitLeft);
        var rightAtLeast = Avx2.CompareGreaterThan(right.AsInt32(), limitRightMinusOne);
        return Avx2.Or(above, Avx2.And(equal, rightAtLeast)).AsUInt32();
    }

    [DoesNotReturn]
    private void ThrowOutOfRange(ulong index)
        => throw new ArgumentOutOfRangeException(nameof(index), index, $"the Feistel permutation is defined on [0, {NumElements})");
}
