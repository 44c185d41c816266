using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Kiln.Proofs.Fields;

namespace Kiln.Proofs.Hashing;

/// <summary>
/// Poseidon over Fr exactly as Filecoin calls neptune: <c>Poseidon::new_with_preimage(inputs,
/// &amp;PoseidonConstants::new()).hash()</c> with the MerkleTree domain tag 2^arity − 1 in slot 0,
/// the inputs in slots 1..arity, result slot 1. Tree nodes (arity 2 and 8), column hashes (11 for
/// 32/64 GiB, 2 for two-layer sectors) and comm_r = H₂(comm_c, comm_r_last) all go through here.
/// Runs the fast form (folded partial-round constants, sparse partial rounds); same result as the
/// reference permutation.
/// </summary>
[SkipLocalsInit]
public static class PoseidonHash
{
    /// <summary>Hash of exactly <c>arity</c> inputs, the arity taken from the input count.</summary>
    public static Fr Hash(ReadOnlySpan<Fr> inputs) => Hash(inputs, PoseidonConstants.ForArity(inputs.Length));

    /// <summary>Hash of exactly <see cref="PoseidonConstants.Arity"/> inputs with the MerkleTree tag.</summary>
    public static Fr Hash(ReadOnlySpan<Fr> inputs, PoseidonConstants constants)
    {
        ArgumentNullException.ThrowIfNull(constants);
        if (inputs.Length != constants.Arity)
        {
            ThrowArity(inputs.Length, constants.Arity);
        }

        return Hash(inputs, constants, constants.DomainTag);
    }

    /// <summary>
    /// Hash with any domain tag in slot 0 (e.g. <see cref="PoseidonConstants.ConstantLengthTag"/>);
    /// up to <see cref="PoseidonConstants.Arity"/> inputs, slots past them are zero.
    /// </summary>
    public static Fr Hash(ReadOnlySpan<Fr> inputs, PoseidonConstants constants, Fr domainTag)
    {
        ArgumentNullException.ThrowIfNull(constants);
        if (inputs.Length > constants.Arity)
        {
            ThrowArity(inputs.Length, constants.Arity);
        }

        Span<Fr> state = stackalloc Fr[constants.Width];
        state[0] = domainTag;
        inputs.CopyTo(state[1..]);
        state[(inputs.Length + 1)..].Clear();
        return Permute(state, constants);
    }

    /// <summary>H₂(left, right): a binary tree node, comm_r = H₂(comm_c, comm_r_last), a two-layer column.</summary>
    public static Fr Hash2(Fr left, Fr right)
    {
        var constants = PoseidonConstants.ForArity(2);
        Span<Fr> state = stackalloc Fr[3];
        state[0] = constants.DomainTag;
        state[1] = left;
        state[2] = right;
        return Permute(state, constants);
    }

    /// <summary>H₈ of eight children: a node of tree_c / tree_r_last.</summary>
    public static Fr Hash8(ReadOnlySpan<Fr> children) => Hash(children, PoseidonConstants.ForArity(8));

    /// <summary>H₁₁ of one column of eleven layer labels: a tree_c leaf of a 32/64 GiB sector.</summary>
    public static Fr Hash11(ReadOnlySpan<Fr> column) => Hash(column, PoseidonConstants.ForArity(11));

    /// <summary>
    /// Byte-level hash: <paramref name="elements"/> holds arity canonical 32-byte little-endian
    /// elements (the arity is its length / 32); the result's encoding goes to <paramref name="output"/>.
    /// </summary>
    /// <exception cref="ProofsException">An element is not below p.</exception>
    public static void Hash(ReadOnlySpan<byte> elements, Span<byte> output)
    {
        if (elements.Length % Fr.ByteLength != 0)
        {
            ThrowArity(elements.Length / Fr.ByteLength, -1);
        }

        HashGroups(elements, output, elements.Length / Fr.ByteLength);
    }

    /// <summary>
    /// Hashes consecutive groups of <paramref name="arity"/> 32-byte elements, one 32-byte result per
    /// group: the step from one tree row to the next. <paramref name="output"/> may be the start of
    /// <paramref name="input"/> (each result is written after its group is read).
    /// </summary>
    /// <exception cref="ProofsException">An element is not below p.</exception>
    public static void HashGroups(ReadOnlySpan<byte> input, Span<byte> output, int arity)
    {
        var constants = PoseidonConstants.ForArity(arity);
        var groupBytes = arity * Fr.ByteLength;
        if (input.Length % groupBytes != 0 || output.Length < input.Length / arity)
        {
            throw new ArgumentException($"input must be whole groups of {arity} elements and output must hold one element per group");
        }

        Span<Fr> state = stackalloc Fr[constants.Width];
        var groups = input.Length / groupBytes;
        for (var g = 0; g < groups; g++)
        {
            var group = input.Slice(g * groupBytes, groupBytes);
            state[0] = constants.DomainTag;
            for (var i = 0; i < arity; i++)
            {
                state[i + 1] = Fr.FromBytes(group.Slice(i * Fr.ByteLength, Fr.ByteLength));
            }

            Permute(state, constants).WriteBytes(output.Slice(g * Fr.ByteLength, Fr.ByteLength));
        }
    }

    /// <summary>
    /// The reference permutation (neptune's <c>hash_correct</c>): every round adds t constants, full
    /// rounds apply the S-box to every slot, partial rounds to slot 0, then the full MDS matrix.
    /// Several times slower than <see cref="Hash(ReadOnlySpan{Fr}, PoseidonConstants, Fr)"/>; kept
    /// to check it and as the baseline of <c>kiln-worker bench poseidon</c>.
    /// </summary>
    public static Fr HashReference(ReadOnlySpan<Fr> inputs, PoseidonConstants constants, Fr domainTag)
    {
        ArgumentNullException.ThrowIfNull(constants);
        if (inputs.Length > constants.Arity)
        {
            ThrowArity(inputs.Length, constants.Arity);
        }

        var t = constants.Width;
        var state = new Fr[t];
        var next = new Fr[t];
        state[0] = domainTag;
        inputs.CopyTo(state.AsSpan(1));
        var rc = constants.RoundConstants;
        var rounds = constants.FullRounds + constants.PartialRounds;
        var half = constants.FullRounds / 2;
        for (var r = 0; r < rounds; r++)
        {
            var full = r < half || r >= half + constants.PartialRounds;
            for (var i = 0; i < t; i++)
            {
                state[i] += rc[(r * t) + i];
                if (full || i == 0)
                {
                    state[i] = state[i].Pow5();
                }
            }

            FrMatrix.Apply(constants.MdsMatrix, t, state, next);
            (state, next) = (next, state);
        }

        return state[1];
    }

    /// <summary>The fast form of the permutation on a state whose slot 0 holds the tag; returns slot 1.</summary>
    private static Fr Permute(Span<Fr> state, PoseidonConstants c)
    {
        var t = c.Width;
        Span<Fr> scratch = stackalloc Fr[t];
        ref var s = ref MemoryMarshal.GetReference(state);
        ref var tmp = ref MemoryMarshal.GetReference(scratch);
        ref var mds = ref MemoryMarshal.GetArrayDataReference(c.Mds);

        ref var first = ref MemoryMarshal.GetArrayDataReference(c.FirstFullConstants);
        for (var r = 0; r < 4; r++)
        {
            FullSBox(ref s, ref Unsafe.Add(ref first, r * t), t);
            MatrixTimes(ref r == 3 ? ref MemoryMarshal.GetArrayDataReference(c.PreSparseMatrix) : ref mds, ref s, ref tmp, t);
        }

        ref var partial = ref MemoryMarshal.GetArrayDataReference(c.PartialConstants);
        ref var rows = ref MemoryMarshal.GetArrayDataReference(c.SparseRows);
        ref var columns = ref MemoryMarshal.GetArrayDataReference(c.SparseColumns);
        for (var p = 0; p < c.PartialRounds; p++)
        {
            s = Fr.Quintic(Fr.Add(s, Unsafe.Add(ref partial, p)));
            SparseTimes(ref Unsafe.Add(ref rows, p * t), ref Unsafe.Add(ref columns, p * (t - 1)), ref s, t);
        }

        ref var second = ref MemoryMarshal.GetArrayDataReference(c.SecondFullConstants);
        for (var r = 0; r < 4; r++)
        {
            FullSBox(ref s, ref Unsafe.Add(ref second, r * t), t);
            MatrixTimes(ref mds, ref s, ref tmp, t);
        }

        return Unsafe.Add(ref s, 1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FullSBox(ref Fr s, ref Fr constants, int t)
    {
        for (var i = 0; i < t; i++)
        {
            ref var x = ref Unsafe.Add(ref s, i);
            x = Fr.Quintic(Fr.Add(x, Unsafe.Add(ref constants, i)));
        }
    }

    /// <summary>s = A·s for a dense t×t matrix (row-major), one reduction per row.</summary>
    private static void MatrixTimes(ref Fr a, ref Fr s, ref Fr tmp, int t)
    {
        for (var i = 0; i < t; i++)
        {
            Unsafe.Add(ref tmp, i) = Fr.SumOfProducts(in Unsafe.Add(ref a, i * t), in s, t);
        }

        for (var i = 0; i < t; i++)
        {
            Unsafe.Add(ref s, i) = Unsafe.Add(ref tmp, i);
        }
    }

    /// <summary>s = S·s for S = [[row], [column | I]]: 2t − 1 products, one dot product.</summary>
    private static void SparseTimes(ref Fr row, ref Fr column, ref Fr s, int t)
    {
        var s0 = s;
        var first = Fr.SumOfProducts(in row, in s, t);
        for (var j = 1; j < t; j++)
        {
            ref var x = ref Unsafe.Add(ref s, j);
            x = Fr.Add(x, Fr.Mul(Unsafe.Add(ref column, j - 1), s0));
        }

        s = first;
    }

    [DoesNotReturn]
    private static void ThrowArity(int inputs, int arity)
        => throw new ArgumentException(arity < 0
            ? $"elements must be whole 32-byte values ({inputs} and a remainder given)"
            : $"Poseidon with arity {arity} takes {arity} inputs, got {inputs}");
}
