using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Kiln.Proofs.PoSt;

/// <summary>
/// Fallback PoSt challenges (rust-fil-proofs storage-proofs-post/src/fallback/vanilla.rs
/// <c>generate_sector_challenge</c> and <c>generate_leaf_challenge</c>): the leaves
/// challenged in each sector and the sector Winning PoSt proves.
/// </summary>
public static class PoStChallenges
{
    /// <summary>
    /// generate_leaf_challenge: u64 LE of SHA-256(randomness ‖ sector id u64 LE ‖ challenge index u64 LE)[0..8]
    /// modulo the sector's nodes.
    /// </summary>
    public static ulong LeafChallenge(ReadOnlySpan<byte> randomness, ulong sectorId, ulong challengeIndex, ulong sectorNodes)
    {
        ArgumentOutOfRangeException.ThrowIfZero(sectorNodes);
        Span<byte> preimage = stackalloc byte[48];
        randomness[..32].CopyTo(preimage);
        BinaryPrimitives.WriteUInt64LittleEndian(preimage[32..], sectorId);
        BinaryPrimitives.WriteUInt64LittleEndian(preimage[40..], challengeIndex);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(preimage, hash);
        return BinaryPrimitives.ReadUInt64LittleEndian(hash) % sectorNodes;
    }

    /// <summary>
    /// The leaves challenged in one sector: challenge index c = n (ApiVersion 1.2.0) or
    /// c = sectorIndex · challenge count + n (1.0.0), n = 0 … challenge count − 1, where
    /// <paramref name="sectorIndex"/> is the sector's position across the partitions (partition ·
    /// sectors per partition + position in it; 0 for Winning).
    /// </summary>
    /// <exception cref="ProofsException">The randomness is not a field element.</exception>
    public static ulong[] SectorChallenges(PoStProofInfo info, ReadOnlySpan<byte> randomness, ulong sectorId, int sectorIndex = 0)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentOutOfRangeException.ThrowIfNegative(sectorIndex);
        SafeCommitment.Check(randomness, "randomness");
        var challenges = new ulong[info.ChallengeCount];
        var first = info.ApiVersion == ProofsApiVersion.V1_2_0 ? 0UL : (ulong)sectorIndex * (ulong)info.ChallengeCount;
        for (var n = 0; n < challenges.Length; n++)
        {
            challenges[n] = LeafChallenge(randomness, sectorId, first + (ulong)n, info.Nodes);
        }

        return challenges;
    }

    /// <summary>
    /// generate_fallback_sector_challenges: sector id → its challenged leaves, in sector id order.
    /// Window walks the partitions in the given order (positions matter for the 1.0.0 proofs);
    /// Winning takes only the first sector, as rust-fil-proofs does (one sector per Winning partition).
    /// </summary>
    /// <exception cref="ProofsException">No sectors, or the randomness is not a field element.</exception>
    public static IReadOnlyDictionary<ulong, ulong[]> GenerateFallbackSectorChallenges(RegisteredPoStProof proof, ReadOnlySpan<byte> randomness, IReadOnlyList<ulong> sectorIds)
    {
        ArgumentNullException.ThrowIfNull(sectorIds);
        var info = PoStProofInfo.Get(proof);
        SafeCommitment.Check(randomness, "randomness");
        if (sectorIds.Count == 0)
        {
            throw new ProofsException("invalid number of sectors/partition index: no sectors to challenge");
        }

        var count = info.Type == PoStType.Winning ? 1 : sectorIds.Count;
        var challenges = new SortedDictionary<ulong, ulong[]>();
        for (var i = 0; i < count; i++)
        {
            challenges[sectorIds[i]] = SectorChallenges(info, randomness, sectorIds[i], i);
        }

        return challenges;
    }

    /// <summary>
    /// generate_winning_post_sector_challenge: for n = 0 … sectors per partition − 1 (one for every
    /// Winning proof), u64 LE of SHA-256(prover id ‖ randomness ‖ n u64 LE)[0..8] modulo
    /// <paramref name="sectorSetLength"/>: positions in the miner's active sector set.
    /// </summary>
    /// <exception cref="ProofsException">Not a Winning proof, an empty set, or randomness or prover id not field elements.</exception>
    public static ulong[] GenerateWinningPoStSectorChallenge(RegisteredPoStProof proof, ReadOnlySpan<byte> randomness, ulong sectorSetLength, ReadOnlySpan<byte> proverId)
    {
        var info = PoStProofInfo.Get(proof);
        if (info.Type != PoStType.Winning)
        {
            throw new ProofsException($"{info.Name} is not a Winning PoSt proof");
        }

        if (sectorSetLength == 0)
        {
            throw new ProofsException("empty sector set is invalid");
        }

        SafeCommitment.Check(randomness, "randomness");
        SafeCommitment.Check(proverId, "prover_id");
        Span<byte> preimage = stackalloc byte[72];
        proverId.CopyTo(preimage);
        randomness.CopyTo(preimage[32..]);
        Span<byte> hash = stackalloc byte[32];
        var indexes = new ulong[info.SectorsPerPartition];
        for (var n = 0; n < indexes.Length; n++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(preimage[64..], (ulong)n);
            SHA256.HashData(preimage, hash);
            indexes[n] = BinaryPrimitives.ReadUInt64LittleEndian(hash) % sectorSetLength;
        }

        return indexes;
    }
}
