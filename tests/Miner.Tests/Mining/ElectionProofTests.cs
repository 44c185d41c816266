using System.Globalization;
using System.Numerics;
using Kiln.Api.Chain;
using Kiln.Testing.Chain;

namespace Kiln.Miner.Tests.Mining;

/// <summary>
/// <see cref="ElectionProof.ComputeWinCount(ReadOnlySpan{byte}, BigInteger, BigInteger)"/> against Lotus's own
/// expectations (chain/types/electionproof_test.go and its golden files in chain/types/testdata) and values worked out
/// by hand from the Go algorithm.
/// </summary>
public sealed class ElectionProofTests
{
    private static readonly BigInteger One = BigInteger.One << 256;

    /// <summary>Lotus testdata/TestPoissonFunction/lam-2-0.golden: 1 − CDF(k) for k = 0…15 at λ = 2.</summary>
    private static readonly string[] TailLambda2 =
    [
        "100121334043824876020967110392587568107053060743383522309741056272383359786578",
        "68779823656842237215759361160386888614619212898869438850308000801323820079862",
        "37438313269859598410551611928186209122185365054355355390874945330264280373146",
        "16543973011871172540413112440052422793896133158012633084586241682891253902002",
        "6096802882876959605343862695985529629751517209841271931441889859204740666430",
        "1917934831279274431316162798358772364093670830572727470184149129730135372202",
        "524978814080046039973596165816519942207722037483212649764902219905266940794",
        "126991380594552213875719985090162107383165239457636986787974531383875960392",
        "27494522223178757351250939908572648677026039951243071043742609253528215292",
        "5384109251762433679146707645997213408995106727599978656135515446784271938",
        "962026657479168944725861193482126355388920082871360178614096685435483268",
        "158011640336757174831161838479383254733249783829793182701111456099339874",
        "24009137479688546515378612645592737957304733989532016715613917876649310",
        "3393367809370296005258116363471119991774726321799529640921988919312302",
        "448257856467688789526616894596603139556153797837745773108856211121302",
        "55576529414007827429083632080000892593677461309507924067105183362502",
    ];

    /// <summary>Lotus testdata/TestPoissonFunction/lam-10-10.golden (λ = 10 / 2^10), the first and last entries.</summary>
    [Fact]
    public void Poisson_tail_for_a_small_rate_matches_lotus_golden_file()
    {
        var tail = ElectionProof.PoissonTail(new BigInteger(10) << (256 - 10), 16);
        Assert.Equal(Big("1125278653883954157340515998824199281259686237023612910954531537010133365568"), tail[0]);
        Assert.Equal(Big("5485581780123676224984074899749002236148166431650497590243915223971292577"), tail[1]);
        Assert.Equal(Big("11353321535515780819985988910882590605707269697"), tail[15]);
    }

    [Fact]
    public void Poisson_tail_for_rate_2_matches_lotus_golden_file()
    {
        Assert.Equal(TailLambda2.Select(Big), ElectionProof.PoissonTail(new BigInteger(2) << 256, 16));
    }

    [Theory]
    [InlineData("10", "100", "57896044618658097711785492504343953926634992332820282019728792003956564819968")]
    [InlineData("1024", "2048", "289480223093290488558927462521719769633174961664101410098643960019782824099840")]
    [InlineData("2000000000000000", "100000000000000000", "11579208923731619542357098500868790785326998466564056403945758400791312963993")]
    [InlineData("64", "128", "289480223093290488558927462521719769633174961664101410098643960019782824099840")] // TestElectionLam: 2.5
    public void Lambda_matches_lotus_golden_files(string power, string total, string expected)
    {
        Assert.Equal(Big(expected), ElectionProof.Lambda(Big(power), Big(total)));
    }

    /// <summary>Lotus testdata/TestExpFunction.golden: (x, e^-x) in Q.256 at rows 0, 1, 48, 127, 198 and 255 of 256 steps over [0, 5].</summary>
    [Theory]
    [InlineData("0", "115792089237316195423570985008687907853269984665640564039457584007913129639936")]
    [InlineData("2270433122300317557324921274680155055946470287561579687048187921723786855685", "113543770489016942962237377411819033281128847358465443152965692667674515268459")]
    [InlineData("108980789870415242751596221184647442685430573802955824978313020242741769072880", "45178430797742804397094652011443390009353450908460410593202993111115176300509")]
    [InlineData("288345006532140329780265001884379692105201726520320620255119866058920930671995", "9598436017530949774464402361919053565881937627109257874972510208401009770963")]
    [InlineData("449545758215462876350334412386670701077401116937192778035541208501309797425630", "2385582448221938579601135652712703469128873722647430092259396421200608174744")]
    [InlineData("578960446186580977117854925043439539266349923328202820197287920039565648199675", "780200960193843203865524721501305631184795994974723658032277935470179306730")]
    public void Exp_neg_matches_lotus_golden_file(string x, string expected)
    {
        Assert.Equal(Big(expected), ElectionProof.ExpNeg(Big(x)));
    }

    /// <summary>
    /// By hand from the Go algorithm: with λ = 2 (power 2 of 5, × 5 blocks per epoch), the win count is how many of
    /// the golden tail values, from the first, the VRF's BLAKE2b-256 (a Q.256 fraction) stays below.
    /// </summary>
    [Fact]
    public void Win_count_is_how_many_tail_values_the_vrf_digest_is_under()
    {
        var tail = TailLambda2.Select(Big).ToArray();
        var seen = new HashSet<long>();
        for (var i = 0; i < 200; i++)
        {
            byte[] vrf = [.. BitConverter.GetBytes(i), 7, 7];
            var digest = new BigInteger(Blake2bHash.Hash(vrf, 32), isUnsigned: true, isBigEndian: true);
            var expected = tail.TakeWhile(t => digest < t).Count();
            var wins = ElectionProof.ComputeWinCount(vrf, 2, 5);
            Assert.Equal(expected, wins);
            Assert.Equal(wins, new ElectionProof(0, vrf).ComputeWinCount(2, 5));
            seen.Add(wins);
        }

        Assert.Contains(0L, seen);
        Assert.Contains(1L, seen);
        Assert.Contains(2L, seen);
    }

    [Fact]
    public void No_power_never_wins_and_the_count_is_capped_at_three_times_blocks_per_epoch()
    {
        // λ = 0: e^0 = 1 exactly (both polynomials end in 2^256), so the tail starts at 0 and no digest is below it.
        Assert.Equal(One, ElectionProof.ExpNeg(0));
        Assert.Equal(0, ElectionProof.ComputeWinCount([1, 2, 3], 0, 100));
        Assert.Equal(15, ElectionProof.MaxWinCount);
        Assert.All(Enumerable.Range(0, 50), i => Assert.InRange(ElectionProof.ComputeWinCount(BitConverter.GetBytes(i), 1000, 1), 0, 15));
    }

    /// <summary>Lotus TestWinCounts: a fifth of the power wins one block per epoch on average (fewer rounds, a wider band).</summary>
    [Fact]
    public void A_fifth_of_the_power_wins_one_block_per_epoch_on_average()
    {
        const int count = 40_000;
        long total = 0;
        var vrf = new byte[5];
        for (ulong i = 0; i < count; i++)
        {
            var w = i + 1_000_000;
            for (var b = 0; b < 5; b++)
            {
                vrf[b] = (byte)(w >> (8 * b));
            }

            total += ElectionProof.ComputeWinCount(vrf, 20, 100);
        }

        Assert.InRange(total / (double)count, 0.97, 1.03);
    }

    private static BigInteger Big(string s) => BigInteger.Parse(s, CultureInfo.InvariantCulture);
}
