using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;

namespace Kiln.Proofs.Seal;

/// <summary>
/// The interactive PoRep challenges of Commit1 (rust-fil-proofs storage-proofs-porep
/// stacked/vanilla/challenges.rs <c>InteractiveChallenges::derive</c>): for partition k and i &lt; challenges per partition, j = cpp·k + i and the challenged
/// node = (SHA-256(replica_id ‖ seed ‖ j as u32 LE) as a little-endian integer mod (nodes − 1)) + 1.
/// </summary>
public static class PoRepChallenges
{
    /// <summary>Partitions and challenges per partition: 1 × 2 up to 1 GiB, 10 × 18 (176 challenges) for 32 and 64 GiB.</summary>
    public static (int Partitions, int PerPartition) Layout(SealProofInfo proof)
    {
        ArgumentNullException.ThrowIfNull(proof);
        return proof.SectorSize >= (32UL << 30) ? (10, 18) : (1, 2);
    }

    /// <summary>The challenged nodes of <paramref name="partition"/>.</summary>
    public static ulong[] Derive(ReadOnlySpan<byte> replicaId, ReadOnlySpan<byte> seed, ulong nodes, int partition, int perPartition)
    {
        if (replicaId.Length != 32 || seed.Length != 32)
        {
            throw new ArgumentException("replica_id and seed are 32 bytes each");
        }

        var challenges = new ulong[perPartition];
        Span<byte> input = stackalloc byte[68];
        replicaId.CopyTo(input);
        seed.CopyTo(input[32..]);
        Span<byte> hash = stackalloc byte[32];
        var modulus = new BigInteger(nodes - 1);
        for (var i = 0; i < perPartition; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(input[64..], (uint)((perPartition * partition) + i));
            SHA256.HashData(input, hash);
            challenges[i] = (ulong)(new BigInteger(hash, isUnsigned: true, isBigEndian: false) % modulus) + 1;
        }

        return challenges;
    }
}
