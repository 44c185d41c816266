using Kiln.Api.Types;
using Kiln.Proofs;
using Kiln.Proofs.Cid;
using Kiln.Proofs.PoSt;
using Kiln.Proofs.Snark;
using ApiPoStProof = Kiln.Api.Types.RegisteredPoStProof;
using PoStProofId = Kiln.Proofs.PoSt.RegisteredPoStProof;

namespace Kiln.Miner.Proving;

/// <summary>What Window and Winning PoSt share on the miner: proof types and the challenged sectors.</summary>
internal static class PoStInputs
{
    /// <summary>The PoSt proof Lotus uses today for these sectors' size (all must share one size).</summary>
    public static PoStProofInfo ProofFor(IReadOnlyList<ProvingSector> sectors, PoStType type)
    {
        if (sectors.Count == 0)
        {
            throw new PoStException("no sectors to prove", retryable: false);
        }

        var sizes = sectors.Select(s => SealProofInfo.Get((long)s.SealProof).SectorSize).Distinct().ToList();
        return sizes.Count == 1
            ? PoStProofInfo.ForSectorSize(sizes[0], type)
            : throw new PoStException("sectors of different sizes in one PoSt", retryable: false);
    }

    public static ApiPoStProof ToApi(PoStProofId proof) => (ApiPoStProof)(long)proof;

    /// <summary>The challenges of every sector (in sector order) as workers receive them.</summary>
    public static List<PostSectorChallenge> Challenges(PoStProofInfo proof, byte[] randomness, IReadOnlyList<ProvingSector> sorted)
    {
        var challenges = PoStChallenges.GenerateFallbackSectorChallenges(proof.Proof, randomness, [.. sorted.Select(s => s.Number)]);
        return [.. sorted.Where(s => challenges.ContainsKey(s.Number)).Select(s => new PostSectorChallenge(s.SealProof, s.Number, s.SealedCid, challenges[s.Number], false))];
    }

    public static PublicReplica Replica(PoStProofInfo proof, ProvingSector sector) =>
        new((int)proof.Proof, CommCid.ParseSealedCid(sector.SealedCid.ToString()), sector.Number);
}
