using System.Buffers.Binary;
using System.Numerics;

namespace Kiln.Testing.Chain;

/// <summary>
/// Unkeyed BLAKE2b (RFC 7693) with a 1–64 byte digest: blake2b-256 for message and block CIDs, blake2b-32 (4 bytes)
/// for address checksums. The stand-in's own, checked against Lotus's CID and address vectors in its tests.
/// </summary>
public static class Blake2bHash
{
    private static readonly ulong[] Iv =
    [
        0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
        0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179,
    ];

    /// <summary>RFC 7693 section 2.7 message schedule; rounds 10 and 11 repeat rows 0 and 1.</summary>
    private static readonly byte[][] Schedule =
    [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
        [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
        [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
        [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
        [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
        [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
        [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
        [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
        [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
        [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
    ];

    public static byte[] Hash(ReadOnlySpan<byte> data, int digestLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(digestLength, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(digestLength, 64);
        var state = (ulong[])Iv.Clone();
        state[0] ^= 0x0101_0000UL | (ulong)digestLength;
        var block = new byte[128];
        ulong counter = 0;
        var position = 0;
        do
        {
            var take = Math.Min(128, data.Length - position);
            var final = position + take == data.Length;
            Array.Clear(block);
            data.Slice(position, take).CopyTo(block);
            position += take;
            counter += (ulong)take;
            Compress(state, block, counter, final);
            if (final)
            {
                break;
            }
        }
        while (true);

        var output = new byte[64];
        for (var i = 0; i < 8; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(output.AsSpan(i * 8), state[i]);
        }

        return output[..digestLength];
    }

    private static void Compress(ulong[] h, byte[] block, ulong counter, bool final)
    {
        var m = new ulong[16];
        for (var i = 0; i < 16; i++)
        {
            m[i] = BinaryPrimitives.ReadUInt64LittleEndian(block.AsSpan(i * 8));
        }

        var v = new ulong[16];
        Array.Copy(h, v, 8);
        Array.Copy(Iv, 0, v, 8, 8);
        v[12] ^= counter;
        if (final)
        {
            v[14] = ~v[14];
        }

        for (var round = 0; round < 12; round++)
        {
            var s = Schedule[round % 10];
            Mix(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
            Mix(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
            Mix(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
            Mix(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
            Mix(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
            Mix(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
            Mix(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
            Mix(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
        }

        for (var i = 0; i < 8; i++)
        {
            h[i] ^= v[i] ^ v[i + 8];
        }
    }

    private static void Mix(ulong[] v, int a, int b, int c, int d, ulong x, ulong y)
    {
        v[a] += v[b] + x;
        v[d] = BitOperations.RotateRight(v[d] ^ v[a], 32);
        v[c] += v[d];
        v[b] = BitOperations.RotateRight(v[b] ^ v[c], 24);
        v[a] += v[b] + y;
        v[d] = BitOperations.RotateRight(v[d] ^ v[a], 16);
        v[c] += v[d];
        v[b] = BitOperations.RotateRight(v[b] ^ v[c], 63);
    }
}
