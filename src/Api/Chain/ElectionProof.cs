using System.Numerics;
using Kiln.Proofs.Hashing;

namespace Kiln.Api.Chain;

/// <summary>
/// Lotus <c>types.ElectionProof</c> (chain/types/electionproof.go): the block producer's VRF output over the election
/// randomness and how many times it wins the round. JSON <c>{"WinCount": 1, "VRFProof": base64}</c>; CBOR
/// <c>[WinCount, VRFProof]</c>.
/// </summary>
#pragma warning disable CA1819 // the VRF bytes, as Lotus's []byte
public sealed record ElectionProof(long WinCount, byte[] VRFProof)
#pragma warning restore CA1819
{
    /// <summary>Lotus buildconstants.BlocksPerEpoch: the expected number of blocks per epoch.</summary>
    public const long BlocksPerEpoch = 5;

    /// <summary>Lotus types.MaxWinCount: 3 × BlocksPerEpoch.</summary>
    public const long MaxWinCount = 3 * BlocksPerEpoch;

    /// <summary>The fixed-point precision: values are Q.256 (an integer standing for itself / 2^256).</summary>
    private const int Precision = 256;

    // Lotus electionproof.go's rational approximation of e^-x, as integers to be read × 2^-128, highest order first.
    private static readonly BigInteger[] s_expNumerator = Coefficients(
        "-648770010757830093818553637600",
        "67469480939593786226847644286976",
        "-3197587544499098424029388939001856",
        "89244641121992890118377641805348864",
        "-1579656163641440567800982336819953664",
        "17685496037279256458459817590917169152",
        "-115682590513835356866803355398940131328",
        "340282366920938463463374607431768211456");

    private static readonly BigInteger[] s_expDenominator = Coefficients(
        "1225524182432722209606361",
        "114095592300906098243859450",
        "5665570424063336070530214243",
        "194450132448609991765137938448",
        "5068267641632683791026134915072",
        "104716890604972796896895427629056",
        "1748338658439454459487681798864896",
        "23704654329841312470660182937960448",
        "259380097567996910282699886670381056",
        "2250336698853390384720606936038375424",
        "14978272436876548034486263159246028800",
        "72144088983913131323343765784380833792",
        "224599776407103106596571252037123047424",
        "340282366920938463463374607431768211456");

    /// <summary>
    /// Lotus <c>ElectionProof.ComputeWinCount</c>: BLAKE2b-256 of the VRF output, read as a Q.256 fraction, against
    /// the upper tail of a Poisson distribution of rate λ = power × BlocksPerEpoch / totalPower; the number of
    /// times the hash falls below it, at most <see cref="MaxWinCount"/>.
    /// </summary>
    public static long ComputeWinCount(ReadOnlySpan<byte> vrfProof, BigInteger power, BigInteger totalPower)
    {
        var digest = new byte[32];
        Blake2b.HashData(vrfProof, digest);
        var lhs = new BigInteger(digest, isUnsigned: true, isBigEndian: true);
        var lam = Lambda(power, totalPower);
        var poisson = new Poisson(lam);
        var rhs = poisson.Icdf;
        long j = 0;
        while (lhs < rhs && j < MaxWinCount)
        {
            rhs = poisson.Next();
            j++;
        }

        return j;
    }

    /// <summary><see cref="ComputeWinCount(ReadOnlySpan{byte}, BigInteger, BigInteger)"/> of this proof's VRF output.</summary>
    public long ComputeWinCount(BigInteger power, BigInteger totalPower) => ComputeWinCount(VRFProof ?? [], power, totalPower);

    /// <summary>Lotus <c>lambda</c>: power × BlocksPerEpoch / totalPower in Q.256.</summary>
    public static BigInteger Lambda(BigInteger power, BigInteger totalPower) =>
        GoDiv((power * BlocksPerEpoch) << Precision, totalPower);

    /// <summary>Lotus <c>expneg</c>: e^-x for x in Q.256, in Q.256.</summary>
    public static BigInteger ExpNeg(BigInteger x)
    {
        var num = PolyVal(s_expNumerator, x);
        var deno = PolyVal(s_expDenominator, x);
        return GoDiv(num << Precision, deno);
    }

    /// <summary>
    /// 1 − the Poisson CDF at k = 0, 1, 2, … of rate <paramref name="lambda"/> (Q.256), as Lotus's <c>newPoiss</c> /
    /// <c>poiss.next</c> compute them: the first <paramref name="count"/> values.
    /// </summary>
    public static IReadOnlyList<BigInteger> PoissonTail(BigInteger lambda, int count)
    {
        var poisson = new Poisson(lambda);
        var tail = new List<BigInteger> { poisson.Icdf };
        while (tail.Count < count)
        {
            tail.Add(poisson.Next());
        }

        return tail;
    }

    /// <summary>CBOR as chain/types/cbor_gen.go writes it: <c>[WinCount, VRFProof]</c>.</summary>
    public void WriteCbor(System.Formats.Cbor.CborWriter w)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.WriteStartArray(2);
        ChainCbor.WriteInt64(w, WinCount);
        w.WriteByteString(VRFProof ?? []);
        w.WriteEndArray();
    }

    public bool Equals(ElectionProof? other) => other is not null && WinCount == other.WinCount && (VRFProof ?? []).AsSpan().SequenceEqual(other.VRFProof ?? []);

    public override int GetHashCode() => HashCode.Combine(WinCount, VRFProof?.Length ?? 0);

    /// <summary>Horner's method in Q.256, shifting (flooring, as Go's Rsh) after each product.</summary>
    private static BigInteger PolyVal(BigInteger[] p, BigInteger x)
    {
        var res = p[0];
        for (var i = 1; i < p.Length; i++)
        {
            res = ((res * x) >> Precision) + p[i];
        }

        return res;
    }

    /// <summary>Go's <c>big.Int.Div</c>: Euclidean division (the remainder never negative), unlike BigInteger.Divide's truncation.</summary>
    private static BigInteger GoDiv(BigInteger x, BigInteger y)
    {
        var q = BigInteger.DivRem(x, y, out var r);
        if (r.Sign < 0)
        {
            q = y.Sign > 0 ? q - 1 : q + 1;
        }

        return q;
    }

    private static BigInteger[] Coefficients(params string[] integers) =>
        [.. integers.Select(c => BigInteger.Parse(c, System.Globalization.CultureInfo.InvariantCulture) << (Precision - 128))];

    /// <summary>Lotus <c>poiss</c>: the tail 1 − CDF(k), updated incrementally from pmf(k) = pmf(k−1) × λ / k.</summary>
    private sealed class Poisson
    {
        private readonly BigInteger _lambda;
        private BigInteger _pmf;
        private ulong _k;

        public Poisson(BigInteger lambda)
        {
            _lambda = lambda;
            _pmf = ExpNeg(lambda);
            Icdf = (BigInteger.One << Precision) - _pmf;
        }

        public BigInteger Icdf { get; private set; }

        public BigInteger Next()
        {
            _k++;
            _pmf = GoDiv(_pmf, _k);
            _pmf = (_pmf * _lambda) >> Precision;
            Icdf -= _pmf;
            return Icdf;
        }
    }
}
