using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

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
