using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Kiln.Proofs.Hashing;

/// <summary>
/// BLAKE2b (RFC 7693), unkeyed, one-shot. Default parameters (no key, salt or personalisation),
/// digest length 1 to 64 bytes; the Feistel round function of the SDR expander graph uses the
/// 64-byte form over a 16-byte message.
/// </summary>
public static class Blake2b
{
    /// <summary>Largest (and default) digest length in bytes.</summary>
    public const int MaxDigestSize = 64;

    private const int BlockSize = 128;

    private static ReadOnlySpan<ulong> Iv =>
    [
        0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
        0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179,
    ];

    private static ReadOnlySpan<byte> Sigma =>
    [
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3,
        11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4,
        7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8,
        9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13,
        2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9,
        12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11,
        13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10,
        6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5,
        10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0,
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3,
    ];

    /// <summary>Writes BLAKE2b-(8·<c>digest.Length</c>) of <paramref name="message"/> into <paramref name="digest"/>.</summary>
    public static void HashData(ReadOnlySpan<byte> message, Span<byte> digest)
    {
        if (digest.Length is < 1 or > MaxDigestSize)
        {
            throw new ArgumentException($"a BLAKE2b digest is 1 to {MaxDigestSize} bytes, got {digest.Length}", nameof(digest));
        }

        Span<ulong> h = stackalloc ulong[8];
        Iv.CopyTo(h);
        // Parameter block word 0: digest length, key length 0, fanout 1, depth 1.
        h[0] ^= 0x01010000UL | (uint)digest.Length;

        Span<byte> last = stackalloc byte[BlockSize];
        ulong offset = 0;
        var rest = message;
        while (rest.Length > BlockSize)
        {
            offset += BlockSize;
            Compress(h, rest[..BlockSize], offset, isLast: false);
            rest = rest[BlockSize..];
        }

        last.Clear();
        rest.CopyTo(last);
        offset += (ulong)rest.Length;
        Compress(h, last, offset, isLast: true);

        Span<byte> full = stackalloc byte[MaxDigestSize];
        for (var i = 0; i < 8; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(full.Slice(8 * i, 8), h[i]);
        }

        full[..digest.Length].CopyTo(digest);
    }

    /// <summary>BLAKE2b-512 of <paramref name="message"/>.</summary>
    public static byte[] HashData(ReadOnlySpan<byte> message)
    {
        var digest = new byte[MaxDigestSize];
        HashData(message, digest);
        return digest;
    }

    private static void Compress(Span<ulong> h, ReadOnlySpan<byte> block, ulong offset, bool isLast)
    {
        Span<ulong> m = stackalloc ulong[16];
        for (var i = 0; i < 16; i++)
        {
            m[i] = BinaryPrimitives.ReadUInt64LittleEndian(block.Slice(8 * i, 8));
        }

        Span<ulong> v = stackalloc ulong[16];
        h.CopyTo(v);
        Iv.CopyTo(v[8..]);
        v[12] ^= offset;
        // The high word of the 128-bit offset stays zero for messages under 2^64 bytes.
        if (isLast)
        {
            v[14] = ~v[14];
        }

        var sigma = Sigma;
        for (var r = 0; r < 12; r++)
        {
            var s = sigma.Slice(16 * r, 16);
            G(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
            G(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
            G(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
            G(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
            G(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
            G(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
            G(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
            G(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
        }

        for (var i = 0; i < 8; i++)
        {
            h[i] ^= v[i] ^ v[i + 8];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void G(Span<ulong> v, int a, int b, int c, int d, ulong x, ulong y)
    {
        v[a] = v[a] + v[b] + x;
        v[d] = BitOperations.RotateRight(v[d] ^ v[a], 32);
        v[c] += v[d];
        v[b] = BitOperations.RotateRight(v[b] ^ v[c], 24);
        v[a] = v[a] + v[b] + y;
        v[d] = BitOperations.RotateRight(v[d] ^ v[a], 16);
        v[c] += v[d];
        v[b] = BitOperations.RotateRight(v[b] ^ v[c], 63);
    }
}
