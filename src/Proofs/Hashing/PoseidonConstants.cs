using Kiln.Proofs.Fields;

namespace Kiln.Proofs.Hashing;

/// <summary>
/// One Poseidon instance as neptune builds it for Filecoin (<c>PoseidonConstants::new()</c>,
/// Standard strength, MerkleTree hash type): width t = arity + 1, x^5 S-box, 8 full rounds and the
/// partial rounds of neptune's <c>round_numbers</c>, Grain-LFSR round constants and the Cauchy MDS
/// matrix. Also holds the equivalent fast form the hash runs (partial-round constants folded to one
/// scalar, sparse partial-round matrices). Built once per arity, on first use.
/// </summary>
public sealed class PoseidonConstants
{
    /// <summary>Full rounds (half before, half after the partial rounds).</summary>
    public const int FullRoundCount = 8;

    private const int HalfFullRounds = FullRoundCount / 2;

    private static readonly int[] Arities = [2, 4, 8, 11, 16, 24, 36];

    private static readonly PoseidonConstants?[] Cache = new PoseidonConstants?[37];

    private readonly Fr[] _roundConstants;

    private PoseidonConstants(int arity, int partialRounds)
    {
        Arity = arity;
        Width = arity + 1;
        PartialRounds = partialRounds;
        DomainTag = MerkleTreeTag(arity);
        _roundConstants = GrainLfsr.RoundConstants(Width, FullRoundCount, partialRounds);
        Mds = FrMatrix.Cauchy(Width);
        (FirstFullConstants, PartialConstants, SecondFullConstants) = FoldPartialConstants(_roundConstants, Mds, Width, partialRounds);
        (PreSparseMatrix, SparseRows, SparseColumns) = Factor(Mds, Width, partialRounds);
    }

    /// <summary>The arities Filecoin uses (trees 2, 4, 8, 16; columns 11; 24 and 36 in filecoin-hashers).</summary>
    public static IReadOnlyList<int> SupportedArities => Arities;

    /// <summary>Inputs per hash.</summary>
    public int Arity { get; }

    /// <summary>State width t = arity + 1 (slot 0 holds the domain tag).</summary>
    public int Width { get; }

    public int FullRounds => FullRoundCount;

    public int PartialRounds { get; }

    /// <summary>The MerkleTree domain tag, 2^arity − 1, that starts slot 0 of the state.</summary>
    public Fr DomainTag { get; }

    /// <summary>The (full + partial)·t round constants in the order the rounds consume them, t per round.</summary>
    public ReadOnlySpan<Fr> RoundConstants => _roundConstants;

    /// <summary>The t×t MDS matrix, row-major: M[i][j] = 1 / (i + j + t).</summary>
    public ReadOnlySpan<Fr> MdsMatrix => Mds;

    internal Fr[] Mds { get; }

    /// <summary>Constants of the first four full rounds (t per round), as in the reference form.</summary>
    internal Fr[] FirstFullConstants { get; }

    /// <summary>One constant per partial round, added to slot 0 only.</summary>
    internal Fr[] PartialConstants { get; }

    /// <summary>Constants of the last four full rounds; the first round also carries what the partial rounds passed on.</summary>
    internal Fr[] SecondFullConstants { get; }

    /// <summary>The matrix of the last full round before the partial rounds (t×t, row-major).</summary>
    internal Fr[] PreSparseMatrix { get; }

    /// <summary>Row 0 of each partial round's sparse matrix (t entries per round).</summary>
    internal Fr[] SparseRows { get; }

    /// <summary>Column 0 below the diagonal of each partial round's sparse matrix (t − 1 entries per round); the rest is the identity.</summary>
    internal Fr[] SparseColumns { get; }

    /// <summary>The constants for <paramref name="arity"/> inputs, computed on first use and cached.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not an arity Filecoin uses.</exception>
    public static PoseidonConstants ForArity(int arity)
    {
        if ((uint)arity < (uint)Cache.Length && Cache[arity] is { } cached)
        {
            return cached;
        }

        var partialRounds = PartialRoundsFor(arity);
        var built = new PoseidonConstants(arity, partialRounds);
        return Interlocked.CompareExchange(ref Cache[arity], built, null) ?? built;
    }

    /// <summary>2^arity − 1: the MerkleTree hash type's tag (all Filecoin tree, column and comm_r hashing).</summary>
    public static Fr MerkleTreeTag(int arity) => Fr.FromBigInteger((System.Numerics.BigInteger.One << arity) - 1);

    /// <summary>length·2^64: neptune's ConstantLength(length) tag (not used by Filecoin's trees or columns).</summary>
    public static Fr ConstantLengthTag(int length) => Fr.FromLimbs(0, (ulong)length, 0, 0);

    /// <summary>
    /// neptune's round_numbers for Standard strength (calc_round_numbers with the security margin), by
    /// width t: 3 → 55, 5 → 56, 9/12 → 57, 17/25 → 59, 37 → 60.
    /// </summary>
    private static int PartialRoundsFor(int arity) => arity switch
    {
        2 => 55,
        4 => 56,
        8 or 11 => 57,
        16 or 24 => 59,
        36 => 60,
        _ => throw new ArgumentOutOfRangeException(nameof(arity), arity, "Poseidon arity must be one of 2, 4, 8, 11, 16, 24, 36"),
    };

    /// <summary>
    /// In a partial round the S-box touches slot 0 only, so the constants of slots 1.. pass through it
    /// linearly: add them after the matrix (M·(0, c₁…)) to the next round's constants instead. Run
    /// forward through the partial rounds, this leaves one scalar per partial round and pushes the
    /// remainder into the first full round after them.
    /// </summary>
    private static (Fr[] First, Fr[] Partial, Fr[] Second) FoldPartialConstants(Fr[] rc, Fr[] mds, int t, int partialRounds)
    {
        var first = rc.AsSpan(0, HalfFullRounds * t).ToArray();
        var second = rc.AsSpan((HalfFullRounds + partialRounds) * t, HalfFullRounds * t).ToArray();
        var partial = new Fr[partialRounds];
        var carry = new Fr[t];
        var linear = new Fr[t];
        for (var p = 0; p < partialRounds; p++)
        {
            var round = rc.AsSpan((HalfFullRounds + p) * t, t);
            partial[p] = round[0] + carry[0];
            linear[0] = Fr.Zero;
            for (var i = 1; i < t; i++)
            {
                linear[i] = round[i] + carry[i];
            }

            FrMatrix.Apply(mds, t, linear, carry);
        }

        for (var i = 0; i < t; i++)
        {
            second[i] += carry[i];
        }

        return (first, partial, second);
    }

    /// <summary>
    /// Sparse partial rounds: write a round's matrix A = S·B with B = diag(1, Â) (Â = A without row and
    /// column 0) and S = [[a₀₀, a_row·Â⁻¹], [a_col, I]]. B leaves slot 0 alone, so it commutes with the
    /// partial S-box and moves into the previous round's matrix, which becomes B·M. Going backwards
    /// from the last partial round (A = M), every A keeps row 0 of M, its Â is M̂^k (k rounds from the
    /// end) and its column is M̂^(k−1)·M[1..][0]; so each round keeps only S (2t − 1 products) and the
    /// last full round before them takes diag(1, M̂^partialRounds)·M.
    /// </summary>
    private static (Fr[] Pre, Fr[] Rows, Fr[] Columns) Factor(Fr[] mds, int t, int partialRounds)
    {
        var n = t - 1;
        var minor = FrMatrix.Minor(mds, t);
        var minorInverse = FrMatrix.Invert(minor, n);
        var rows = new Fr[partialRounds * t];
        var columns = new Fr[partialRounds * n];

        // v = M[0][1..]·M̂^-k and w = M̂^(k−1)·M[1..][0] for k = 1, 2, … (rounds from the end).
        var v = new Fr[n];
        var w = new Fr[n];
        var next = new Fr[n];
        for (var j = 0; j < n; j++)
        {
            v[j] = mds[j + 1];
            w[j] = mds[(j + 1) * t];
        }

        for (var p = partialRounds - 1; p >= 0; p--)
        {
            FrMatrix.ApplyTransposed(minorInverse, n, v, next);
            (v, next) = (next, v);
            rows[p * t] = mds[0];
            v.CopyTo(rows.AsSpan((p * t) + 1, n));
            w.CopyTo(columns.AsSpan(p * n, n));
            FrMatrix.Apply(minor, n, w, next);
            (w, next) = (next, w);
        }

        var power = FrMatrix.Power(minor, n, partialRounds);
        var b = new Fr[t * t];
        b[0] = Fr.One;
        for (var i = 0; i < n; i++)
        {
            power.AsSpan(i * n, n).CopyTo(b.AsSpan(((i + 1) * t) + 1, n));
        }

        return (FrMatrix.Multiply(b, mds, t), rows, columns);
    }
}
