using Kiln.Proofs.PoSt;
using Kiln.Proofs.Sdr;

namespace Kiln.Proofs.Tests.PoSt;

/// <summary>
/// Fallback PoSt challenges (storage-proofs-post fallback/vanilla.rs <c>generate_leaf_challenge</c>) and Winning sector selection
/// (<c>generate_sector_challenge</c>) against known answers: sector 132 of prover t03751 at 32 GiB under one fixed randomness,
/// and the lotus-bench 2 KiB sector under zero randomness.
/// </summary>
public class PoStChallengesTests
{
    private static readonly byte[] Randomness132 = Convert.FromHexString("2fb40fd7043336d645cd138963c6f960f649db53a0f532e264598e9f53e2ed23");

    private static readonly byte[] Prover3751 = ProverId.FromActorId(3751);

    private static readonly ulong[] Window132 = [396119802, 277217811, 436245381, 243087716, 706056829, 128152768, 598990178, 81580961, 470132133, 332920863];

    private static readonly ulong[] Winning132 =
    [
        396119802, 277217811, 436245381, 243087716, 706056829, 128152768, 598990178, 81580961, 470132133, 332920863, 359176012, 1004864392, 691739394, 931225305, 543666792, 338365982,
        698434199, 296430116, 557115512, 245095959, 514181238, 433976388, 364524378, 1037325793, 687114536, 505092816, 539158915, 756633155, 624570893, 994129203, 101315452, 1022145475,
        164546829, 293129732, 1003135091, 110174001, 400378964, 710440976, 294567245, 156970560, 1022930117, 549547266, 800910258, 690906843, 883545910, 645128038, 322531392, 399261189,
        560733164, 95048432, 220219230, 163908717, 949725477, 98397766, 238892521, 628806879, 19962415, 824781321, 216556191, 542736908, 1013312660, 457389204, 130983757, 158578296,
        680712711, 228936090,
    ];

    private static readonly ulong[] Winning2KiB =
    [
        23, 6, 60, 28, 53, 28, 61, 55, 8, 46, 45, 52, 51, 24, 37, 8, 16, 49, 31, 53, 14, 21, 23, 7, 12, 55, 3, 12, 20, 7, 63, 12, 12, 30, 51, 48, 13, 31, 51, 53, 58, 36, 12, 48, 30, 30, 0,
        18, 55, 9, 45, 53, 6, 47, 13, 19, 15, 48, 13, 26, 51, 40, 57, 12, 60, 17,
    ];

    [Fact]
    public void Window_32GiB_challenges_of_the_verify_window_post_vector()
    {
        var challenges = PoStChallenges.GenerateFallbackSectorChallenges(RegisteredPoStProof.StackedDrgWindow32GiBV1_1, Randomness132, [132]);

        Assert.Equal([132UL], challenges.Keys);
        Assert.Equal(Window132, challenges[132]);
    }

    [Fact]
    public void Legacy_window_proofs_count_challenges_across_the_partitions_sectors()
    {
        var legacy = PoStChallenges.GenerateFallbackSectorChallenges(RegisteredPoStProof.StackedDrgWindow32GiBV1, Randomness132, [132, 133]);
        var current = PoStChallenges.GenerateFallbackSectorChallenges(RegisteredPoStProof.StackedDrgWindow32GiBV1_1, Randomness132, [132, 133]);

        Assert.Equal(Window132, legacy[132]);
        Assert.Equal([33269599UL, 320204692, 248448336, 437845593, 453260053, 501079877, 337597091, 549941944, 877571004, 1008365704], legacy[133]);
        Assert.Equal(Window132, current[132]);
        Assert.Equal([784672897UL, 374287824, 970135771, 963806931, 905830484, 57460357, 537063909, 331587581, 28107299, 179247895], current[133]);

        // Order matters only for V1_0: 133 first takes c = 0..9 there.
        var swapped = PoStChallenges.GenerateFallbackSectorChallenges(RegisteredPoStProof.StackedDrgWindow32GiBV1, Randomness132, [133, 132]);
        Assert.Equal(current[133], swapped[133]);
        Assert.Equal([132UL, 133], swapped.Keys);
    }

    [Fact]
    public void Winning_32GiB_challenges_and_sector_selection()
    {
        var challenges = PoStChallenges.GenerateFallbackSectorChallenges(RegisteredPoStProof.StackedDrgWinning32GiBV1, Randomness132, [132, 7]);

        Assert.Equal([132UL], challenges.Keys);
        Assert.Equal(Winning132, challenges[132]);
        Assert.Equal([0UL], PoStChallenges.GenerateWinningPoStSectorChallenge(RegisteredPoStProof.StackedDrgWinning32GiBV1, Randomness132, 1, Prover3751));
        Assert.Equal([948UL], PoStChallenges.GenerateWinningPoStSectorChallenge(RegisteredPoStProof.StackedDrgWinning32GiBV1, Randomness132, 1000, Prover3751));
        Assert.Equal([1100436324UL], PoStChallenges.GenerateWinningPoStSectorChallenge(RegisteredPoStProof.StackedDrgWinning32GiBV1, Randomness132, 1UL << 32, Prover3751));
    }

    [Fact]
    public void Challenges_of_the_lotus_bench_2KiB_sector()
    {
        var zero = new byte[32];
        var window = PoStChallenges.GenerateFallbackSectorChallenges(RegisteredPoStProof.StackedDrgWindow2KiBV1_1, zero, [1]);
        var winning = PoStChallenges.GenerateFallbackSectorChallenges(RegisteredPoStProof.StackedDrgWinning2KiBV1, zero, [1]);

        Assert.Equal([23UL, 6, 60, 28, 53, 28, 61, 55, 8, 46], window[1]);
        Assert.Equal(Winning2KiB, winning[1]);
        var prover = ProverId.FromActorId(1000);
        Assert.Equal([1UL], PoStChallenges.GenerateWinningPoStSectorChallenge(RegisteredPoStProof.StackedDrgWinning2KiBV1, zero, 2, prover));
        Assert.Equal([5UL], PoStChallenges.GenerateWinningPoStSectorChallenge(RegisteredPoStProof.StackedDrgWinning2KiBV1, zero, 10, prover));
        Assert.Equal([695UL], PoStChallenges.GenerateWinningPoStSectorChallenge(RegisteredPoStProof.StackedDrgWinning2KiBV1, zero, 1000, prover));
    }

    [Fact]
    public void Randomness_must_be_a_field_element()
    {
        var unsafeRandomness = Enumerable.Repeat((byte)0xff, 32).ToArray();

        var e = Assert.Throws<ProofsException>(() => PoStChallenges.GenerateFallbackSectorChallenges(RegisteredPoStProof.StackedDrgWindow2KiBV1_1, unsafeRandomness, [1]));
        Assert.Contains("Invalid commitment (randomness)", e.Message, StringComparison.Ordinal);
        Assert.Throws<ProofsException>(() => PoStChallenges.GenerateWinningPoStSectorChallenge(RegisteredPoStProof.StackedDrgWinning2KiBV1, unsafeRandomness, 10, new byte[32]));

        // Lotus clears the two top bits first; that value is accepted.
        unsafeRandomness[31] &= 0x3f;
        Assert.Single(PoStChallenges.GenerateFallbackSectorChallenges(RegisteredPoStProof.StackedDrgWindow2KiBV1_1, unsafeRandomness, [1]));
    }

    [Fact]
    public void Bad_requests_are_refused()
    {
        var zero = new byte[32];
        Assert.Throws<ProofsException>(() => PoStChallenges.GenerateFallbackSectorChallenges(RegisteredPoStProof.StackedDrgWindow2KiBV1_1, zero, []));
        Assert.Throws<ProofsException>(() => PoStChallenges.GenerateWinningPoStSectorChallenge(RegisteredPoStProof.StackedDrgWinning2KiBV1, zero, 0, zero));
        Assert.Throws<ProofsException>(() => PoStChallenges.GenerateWinningPoStSectorChallenge(RegisteredPoStProof.StackedDrgWindow2KiBV1_1, zero, 10, zero));
        Assert.Throws<ProofsException>(() => PoStChallenges.GenerateFallbackSectorChallenges((RegisteredPoStProof)15, zero, [1]));
    }

    [Theory]
    [InlineData(RegisteredPoStProof.StackedDrgWinning2KiBV1, 2048UL, 66, 1, ProofsApiVersion.V1_0_0)]
    [InlineData(RegisteredPoStProof.StackedDrgWinning64GiBV1, 64UL << 30, 66, 1, ProofsApiVersion.V1_0_0)]
    [InlineData(RegisteredPoStProof.StackedDrgWindow8MiBV1, 8UL << 20, 10, 2, ProofsApiVersion.V1_0_0)]
    [InlineData(RegisteredPoStProof.StackedDrgWindow512MiBV1_1, 512UL << 20, 10, 2, ProofsApiVersion.V1_2_0)]
    [InlineData(RegisteredPoStProof.StackedDrgWindow32GiBV1_1, 32UL << 30, 10, 2349, ProofsApiVersion.V1_2_0)]
    [InlineData(RegisteredPoStProof.StackedDrgWindow64GiBV1, 64UL << 30, 10, 2300, ProofsApiVersion.V1_0_0)]
    public void Proof_table(RegisteredPoStProof proof, ulong sectorSize, int challenges, int sectorsPerPartition, ProofsApiVersion version)
    {
        var info = PoStProofInfo.Get(proof);

        Assert.Equal(sectorSize, info.SectorSize);
        Assert.Equal(challenges, info.ChallengeCount);
        Assert.Equal(sectorsPerPartition, info.SectorsPerPartition);
        Assert.Equal(version, info.ApiVersion);
        Assert.Equal(proof.ToString(), info.Name);
        Assert.Equal(1, info.PartitionCount(0));
        Assert.Equal(info.Type == PoStType.Winning ? 1 : 2, info.PartitionCount(sectorsPerPartition + 1));
    }

    [Fact]
    public void Fifteen_proofs_are_registered() => Assert.Equal(Enumerable.Range(0, 15), PoStProofInfo.All.Select(p => (int)p.Proof));
}
