using Kiln.Proofs.Fields;

namespace Kiln.Proofs.Hashing;

/// <summary>
/// Square matrices over Fr, row-major in a flat array, for deriving Poseidon constants once per
/// arity (products, inverses, the sparse factorisation). Column-vector convention: y = A·x.
/// </summary>
internal static class FrMatrix
{
    /// <summary>The Cauchy MDS matrix neptune uses: M[i][j] = 1 / (x_i + y_j) with x_i = i, y_j = n + j.</summary>
    public static Fr[] Cauchy(int n)
    {
        var m = new Fr[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                m[(i * n) + j] = Fr.FromUInt64((ulong)(i + n + j)).Inverse();
            }
        }

        return m;
    }

    public static Fr[] Multiply(ReadOnlySpan<Fr> a, ReadOnlySpan<Fr> b, int n)
    {
        var c = new Fr[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var sum = Fr.Zero;
                for (var k = 0; k < n; k++)
                {
                    sum += a[(i * n) + k] * b[(k * n) + j];
                }

                c[(i * n) + j] = sum;
            }
        }

        return c;
    }

    /// <summary>y = A·x.</summary>
    public static void Apply(ReadOnlySpan<Fr> a, int n, ReadOnlySpan<Fr> x, Span<Fr> y)
    {
        for (var i = 0; i < n; i++)
        {
            var sum = Fr.Zero;
            for (var k = 0; k < n; k++)
            {
                sum += a[(i * n) + k] * x[k];
            }

            y[i] = sum;
        }
    }

    /// <summary>y = x·A (x as a row vector), i.e. Aᵀ·x.</summary>
    public static void ApplyTransposed(ReadOnlySpan<Fr> a, int n, ReadOnlySpan<Fr> x, Span<Fr> y)
    {
        for (var j = 0; j < n; j++)
        {
            var sum = Fr.Zero;
            for (var k = 0; k < n; k++)
            {
                sum += x[k] * a[(k * n) + j];
            }

            y[j] = sum;
        }
    }

    /// <summary>A^exponent by square and multiply.</summary>
    public static Fr[] Power(ReadOnlySpan<Fr> a, int n, int exponent)
    {
        var result = new Fr[n * n];
        for (var i = 0; i < n; i++)
        {
            result[(i * n) + i] = Fr.One;
        }

        var square = a.ToArray();
        for (var e = exponent; e > 0; e >>= 1)
        {
            if ((e & 1) != 0)
            {
                result = Multiply(result, square, n);
            }

            if (e > 1)
            {
                square = Multiply(square, square, n);
            }
        }

        return result;
    }

    /// <summary>A⁻¹ by Gauss–Jordan elimination.</summary>
    /// <exception cref="ProofsException">A is singular.</exception>
    public static Fr[] Invert(ReadOnlySpan<Fr> a, int n)
    {
        var work = a.ToArray();
        var inverse = new Fr[n * n];
        for (var i = 0; i < n; i++)
        {
            inverse[(i * n) + i] = Fr.One;
        }

        for (var col = 0; col < n; col++)
        {
            var pivot = col;
            while (pivot < n && work[(pivot * n) + col].IsZero)
            {
                pivot++;
            }

            if (pivot == n)
            {
                throw new ProofsException("singular matrix while deriving Poseidon constants");
            }

            SwapRows(work, n, pivot, col);
            SwapRows(inverse, n, pivot, col);
            var scale = work[(col * n) + col].Inverse();
            for (var j = 0; j < n; j++)
            {
                work[(col * n) + j] *= scale;
                inverse[(col * n) + j] *= scale;
            }

            for (var row = 0; row < n; row++)
            {
                var factor = work[(row * n) + col];
                if (row == col || factor.IsZero)
                {
                    continue;
                }

                for (var j = 0; j < n; j++)
                {
                    work[(row * n) + j] -= factor * work[(col * n) + j];
                    inverse[(row * n) + j] -= factor * inverse[(col * n) + j];
                }
            }
        }

        return inverse;
    }

    /// <summary>The (n−1)×(n−1) block of A without row 0 and column 0.</summary>
    public static Fr[] Minor(ReadOnlySpan<Fr> a, int n)
    {
        var m = n - 1;
        var minor = new Fr[m * m];
        for (var i = 0; i < m; i++)
        {
            a.Slice(((i + 1) * n) + 1, m).CopyTo(minor.AsSpan(i * m, m));
        }

        return minor;
    }

    private static void SwapRows(Fr[] m, int n, int r1, int r2)
    {
        if (r1 == r2)
        {
            return;
        }

        for (var j = 0; j < n; j++)
        {
            (m[(r1 * n) + j], m[(r2 * n) + j]) = (m[(r2 * n) + j], m[(r1 * n) + j]);
        }
    }
}
