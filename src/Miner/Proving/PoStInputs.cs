using Kiln.Api.Types;
using Kiln.Proofs;
using Kiln.Proofs.PoSt;
using Kiln.Proofs.Snark;

namespace Kiln.Miner.Proving;

/// <summary>What Window and Winning PoSt share on the miner: proof types and the challenged sectors.</summary>
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

    /// <summary>The challenges of every sector (in sector order) as workers receive them.</summary>
    public static List<PostSectorChallenge> Challenges(PoStProofInfo proof, byte[] randomness, IReadOnlyList<ProvingSector> sorted)
    {
        var challenges = PoStChallenges.GenerateFallbackSectorChallenges(proof.Proof, randomness, [.. sorted.Select(s => s.Number)]);
        return [.. sorted.Where(s => challenges.ContainsKey(s.Number)).Select(s => new PostSectorChallenge(s.SealProof, s.Number, s.SealedCid, challenges[s.Number], false))];
    }

    public static PublicReplica Replica(PoStProofInfo proof, ProvingSector sector) =>
        new(proof.Proof, sector.SealedCid.ToSealedCommitment(), sector.Number);
}
