using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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

    [DoesNotReturn]
    private void ThrowOutOfRange(ulong index)
        => throw new ArgumentOutOfRangeException(nameof(index), index, $"the Feistel permutation is defined on [0, {NumElements})");
}
