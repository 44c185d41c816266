using Kiln.Api.Types;
using Kiln.Proofs;
using Kiln.Proofs.PoSt;
using Kiln.Proofs.Snark;

namespace Kiln.Miner.Proving;

/// <summary>What Window and Winning PoSt share on the miner: proof types, randomness and the challenged sectors.</summary>
internal static class PoStInputs
{
    /// <summary>The PoSt proof Lotus uses today for these sectors' size (all must share one size).</summary>
    public static PoStProofInfo ProofFor(IReadOnlyList<ProvingSector> sectors, PoStType type)
    {
        if (sectors.Count == 0)
        {
            throw new PoStException("no sectors to prove", isRetryable: false);
        }

        var sizes = sectors.Select(s => SealProofInfo.Get(s.SealProof).SectorSize).Distinct().ToList();
        return sizes.Count == 1
            ? PoStProofInfo.ForSectorSize(sizes[0], type)
            : throw new PoStException("sectors of different sizes in one PoSt", isRetryable: false);
    }

    /// <summary>Lotus clears the top two bits of randomness[31] so it is a field element.</summary>
    public static byte[] Randomness(ReadOnlySpan<byte> randomness)
    {
        if (randomness.Length != 32)
        {
            throw new ArgumentException("PoSt randomness must be 32 bytes", nameof(randomness));
        }

        var r = randomness.ToArray();
        r[31] &= 0x3f;
        return r;
    }

    /// <summary>The challenges of every sector (in sector order) as workers receive them.</summary>
    public static List<PostSectorChallenge> Challenges(PoStProofInfo proof, byte[] randomness, IReadOnlyList<ProvingSector> sorted)
    {
        var challenges = PoStChallenges.GenerateFallbackSectorChallenges(proof.Proof, randomness, [.. sorted.Select(s => s.Number)]);
        return [.. sorted.Where(s => challenges.ContainsKey(s.Number)).Select(s => new PostSectorChallenge(s.SealProof, s.Number, s.SealedCid, challenges[s.Number], false))];
    }

    public static PublicReplica Replica(PoStProofInfo proof, ProvingSector sector) =>
        new(proof.Proof, sector.SealedCid.ToSealedCommitment(), sector.Number);

    /// <summary>Vanilla proofs of <paramref name="sectors"/> read in parallel; sectors whose proof is unreadable are returned in Missing.</summary>
    public static async Task<(byte[][] Vanillas, List<ulong> Missing)> ReadVanillasAsync(IVanillaSource source, ulong minerId, PoStProofInfo proof, IReadOnlyList<PostSectorChallenge> sectors, CancellationToken ct)
    {
        var vanillas = await Task.WhenAll(sectors.Select(s => source.ReadAsync(minerId, proof.Proof, s, ct))).ConfigureAwait(false);
        var missing = sectors.Where((s, i) => vanillas[i] is null).Select(s => s.SectorNumber).ToList();
        return (vanillas.Select(v => v ?? []).ToArray(), missing);
    }
}
