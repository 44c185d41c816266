using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Kiln.Proofs.Sdr;

/// <summary>
/// rand_chacha 0.3 <c>ChaCha8Rng</c>: the ChaCha stream cipher with 8 rounds, a 32-byte seed as key,
/// a 64-bit block counter in words 12/13 starting at 0 and stream id 0 in words 14/15. The keystream
/// is consumed as consecutive u32 words; <see cref="NextUInt64"/> is <c>lo | hi &lt;&lt; 32</c> of the
/// next two words (rand_core BlockRng semantics).
/// </summary>
/// <remarks>A mutable value type: pass it by reference.</remarks>
public struct ChaCha8Rng
{
    /// <summary>Seed length in bytes (the ChaCha key).</summary>
    public const int SeedSize = 32;

    /// <summary>Words in one ChaCha block.</summary>
    public const int BlockWords = 16;

    /// <summary>Keystream words one DRG node consumes: 10 u64 = block 0 and the first 4 words of block 1.</summary>
    internal const int LaneWords = 20;

    private const int DoubleRounds = 4;

    private Words8 _key;
    private Words16 _block;
    private ulong _counter;
    private int _index;

    /// <summary>Seeds the generator like <c>ChaCha8Rng::from_seed(seed)</c>.</summary>
    public ChaCha8Rng(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != SeedSize)
        {
            throw new ArgumentException($"a ChaCha8 seed is {SeedSize} bytes, got {seed.Length}", nameof(seed));
        }

        for (var i = 0; i < 8; i++)
        {
            _key[i] = BinaryPrimitives.ReadUInt32LittleEndian(seed.Slice(4 * i, 4));
        }

        _counter = 0;
        _index = BlockWords;
    }

    /// <summary>Seeds the generator from the key already split into eight u32 words (seed read LE).</summary>
    internal ChaCha8Rng(ReadOnlySpan<uint> keyWords)
    {
        for (var i = 0; i < 8; i++)
        {
            _key[i] = keyWords[i];
        }

        _counter = 0;
        _index = BlockWords;
    }

    /// <summary>The next keystream word.</summary>
    public uint NextUInt32()
    {
        if (_index >= BlockWords)
        {
            Block(_key, _counter++, _block);
            _index = 0;
        }

        return _block[_index++];
    }

    /// <summary>rand_core <c>next_u64</c>: low word first.</summary>
    public ulong NextUInt64()
    {
        ulong lo = NextUInt32();
        ulong hi = NextUInt32();
        return lo | (hi << 32);
    }

    /// <summary>
    /// One ChaCha8 block: <paramref name="output"/>[0..16] = keystream words of block <paramref name="counter"/>
    /// under <paramref name="key"/> (8 words), stream id 0.
    /// </summary>
    public static void Block(ReadOnlySpan<uint> key, ulong counter, Span<uint> output)
    {
        if (key.Length < 8 || output.Length < BlockWords)
        {
            throw new ArgumentException("ChaCha needs an 8-word key and a 16-word output");
        }

        uint k0 = key[0], k1 = key[1], k2 = key[2], k3 = key[3], k4 = key[4], k5 = key[5], k6 = key[6], k7 = key[7];
        var c0 = (uint)counter;
        var c1 = (uint)(counter >> 32);

        // "expand 32-byte k"
        uint x0 = 0x61707865, x1 = 0x3320646e, x2 = 0x79622d32, x3 = 0x6b206574;
        uint x4 = k0, x5 = k1, x6 = k2, x7 = k3, x8 = k4, x9 = k5, x10 = k6, x11 = k7;
        uint x12 = c0, x13 = c1, x14 = 0, x15 = 0;

        for (var r = 0; r < DoubleRounds; r++)
        {
            QuarterRound(ref x0, ref x4, ref x8, ref x12);
            QuarterRound(ref x1, ref x5, ref x9, ref x13);
            QuarterRound(ref x2, ref x6, ref x10, ref x14);
            QuarterRound(ref x3, ref x7, ref x11, ref x15);
            QuarterRound(ref x0, ref x5, ref x10, ref x15);
            QuarterRound(ref x1, ref x6, ref x11, ref x12);
            QuarterRound(ref x2, ref x7, ref x8, ref x13);
            QuarterRound(ref x3, ref x4, ref x9, ref x14);
        }

        output[15] = x15;
        output[0] = x0 + 0x61707865;
        output[1] = x1 + 0x3320646e;
        output[2] = x2 + 0x79622d32;
        output[3] = x3 + 0x6b206574;
        output[4] = x4 + k0;
        output[5] = x5 + k1;
        output[6] = x6 + k2;
        output[7] = x7 + k3;
        output[8] = x8 + k4;
        output[9] = x9 + k5;
        output[10] = x10 + k6;
        output[11] = x11 + k7;
        output[12] = x12 + c0;
        output[13] = x13 + c1;
        output[14] = x14;
    }

    /// <summary>
    /// The first <see cref="LaneWords"/> keystream words of eight generators at once (one per 32-bit lane),
    /// whose keys differ only in word 7: lane l uses <paramref name="key"/>[0..7] and <paramref name="firstWord7"/> + l.
    /// <paramref name="output"/>[8·w + l] = word w of lane l. This is the DRG's per-node generator for eight
    /// consecutive nodes (key word 7 = node index). AVX2 only (callers check <see cref="Avx2.IsSupported"/>);
    /// written with the ISA intrinsics, which the JIT expands even in unoptimized builds.
    /// </summary>
    internal static unsafe void KeystreamX8(ReadOnlySpan<uint> key, uint firstWord7, uint* output)
    {
        var c0 = Vector256.Create(0x61707865u);
        var c1 = Vector256.Create(0x3320646eu);
        var c2 = Vector256.Create(0x79622d32u);
        var c3 = Vector256.Create(0x6b206574u);
        var k0 = Vector256.Create(key[0]);
        var k1 = Vector256.Create(key[1]);
        var k2 = Vector256.Create(key[2]);
        var k3 = Vector256.Create(key[3]);
        var k4 = Vector256.Create(key[4]);
        var k5 = Vector256.Create(key[5]);
        var k6 = Vector256.Create(key[6]);
        var k7 = Avx2.Add(Vector256.Create(firstWord7), Vector256.Create(0u, 1, 2, 3, 4, 5, 6, 7));
        var zero = Vector256<uint>.Zero;

        for (uint counter = 0; counter < 2; counter++)
        {
            var ctr = Vector256.Create(counter);
            Vector256<uint> x0 = c0, x1 = c1, x2 = c2, x3 = c3, x4 = k0, x5 = k1, x6 = k2, x7 = k3;
            Vector256<uint> x8 = k4, x9 = k5, x10 = k6, x11 = k7, x12 = ctr, x13 = zero, x14 = zero, x15 = zero;
            for (var r = 0; r < DoubleRounds; r++)
            {
                QuarterRound(ref x0, ref x4, ref x8, ref x12);
                QuarterRound(ref x1, ref x5, ref x9, ref x13);
                QuarterRound(ref x2, ref x6, ref x10, ref x14);
                QuarterRound(ref x3, ref x7, ref x11, ref x15);
                QuarterRound(ref x0, ref x5, ref x10, ref x15);
                QuarterRound(ref x1, ref x6, ref x11, ref x12);
                QuarterRound(ref x2, ref x7, ref x8, ref x13);
                QuarterRound(ref x3, ref x4, ref x9, ref x14);
            }

            var o = output + (counter * BlockWords * 8);
            Avx.Store(o, Avx2.Add(x0, c0));
            Avx.Store(o + 8, Avx2.Add(x1, c1));
            Avx.Store(o + 16, Avx2.Add(x2, c2));
            Avx.Store(o + 24, Avx2.Add(x3, c3));
            if (counter == 1)
            {
                // Words 16..19 are all a node consumes of block 1.
                break;
            }

            Avx.Store(o + 32, Avx2.Add(x4, k0));
            Avx.Store(o + 40, Avx2.Add(x5, k1));
            Avx.Store(o + 48, Avx2.Add(x6, k2));
            Avx.Store(o + 56, Avx2.Add(x7, k3));
            Avx.Store(o + 64, Avx2.Add(x8, k4));
            Avx.Store(o + 72, Avx2.Add(x9, k5));
            Avx.Store(o + 80, Avx2.Add(x10, k6));
            Avx.Store(o + 88, Avx2.Add(x11, k7));
            Avx.Store(o + 96, Avx2.Add(x12, ctr));
            Avx.Store(o + 104, x13);
            Avx.Store(o + 112, x14);
            Avx.Store(o + 120, x15);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void QuarterRound(ref Vector256<uint> a, ref Vector256<uint> b, ref Vector256<uint> c, ref Vector256<uint> d)
    {
        a = Avx2.Add(a, b);
        d = Avx2.Xor(d, a);
        d = Avx2.Or(Avx2.ShiftLeftLogical(d, 16), Avx2.ShiftRightLogical(d, 16));
        c = Avx2.Add(c, d);
        b = Avx2.Xor(b, c);
        b = Avx2.Or(Avx2.ShiftLeftLogical(b, 12), Avx2.ShiftRightLogical(b, 20));
        a = Avx2.Add(a, b);
        d = Avx2.Xor(d, a);
        d = Avx2.Or(Avx2.ShiftLeftLogical(d, 8), Avx2.ShiftRightLogical(d, 24));
        c = Avx2.Add(c, d);
        b = Avx2.Xor(b, c);
        b = Avx2.Or(Avx2.ShiftLeftLogical(b, 7), Avx2.ShiftRightLogical(b, 25));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void QuarterRound(ref uint a, ref uint b, ref uint c, ref uint d)
    {
        a += b;
        d = BitOperations.RotateLeft(d ^ a, 16);
        c += d;
        b = BitOperations.RotateLeft(b ^ c, 12);
        a += b;
        d = BitOperations.RotateLeft(d ^ a, 8);
        c += d;
        b = BitOperations.RotateLeft(b ^ c, 7);
    }

    [InlineArray(8)]
    private struct Words8
    {
        private uint _element;
    }

    [InlineArray(BlockWords)]
    private struct Words16
    {
        private uint _element;
    }
}
