using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using Kiln.Proofs.Fields;
using Kiln.Proofs.Hashing;

namespace Kiln.Proofs.Tests.Hashing;

/// <summary>
/// Poseidon against neptune (src/poseidon.rs test <c>hash_values</c>, round_constants.rs, mds.rs, hash_type.rs), rust-fil-proofs
/// filecoin-hashers/src/poseidon.rs tests, derived results, and the Poseidon steps of the lotus-bench 2 KiB sector.
/// </summary>
public class PoseidonVectorTests
{
    /// <summary>neptune src/poseidon.rs test <c>hash_values</c> (Strength::Standard): inputs 0, 1, …, arity − 1, MerkleTree tag.</summary>
    [Theory]
    [InlineData(2, "ffe7029a363c202e9da6059d33a9fba661e1ef02d90f9e736ba5765ed7086539")]
    [InlineData(4, "5d076266ff149801ec2713bf05466bfb99932279653cdb008a84e5a9104ba558")]
    [InlineData(8, "e6a5386df534992ad9aec49c9d2e684b777067114200011255dea5a31d619423")]
    [InlineData(11, "6331692bc3bbe3cec18fb0ccd8dcf3097ae8eb32e237a56c287f22e5b2c10f0c")]
    [InlineData(16, "376d266040c791126f0a68306dbc8d5b631e876f5afbc2c18aae813366e23a2d")]
    [InlineData(24, "21b385f56935efd7b1158846f679e7c39f3d3f78bf396f0615ae111f83b8be63")]
    [InlineData(36, "40814efa6d6073443caca8f88d36cd75aabb103ce0300a545f5d6e2a08039369")]
    public void Neptune_hash_values_vectors(int arity, string expected)
    {
        var inputs = Enumerable.Range(0, arity).Select(i => Fr.FromUInt64((ulong)i)).ToArray();
        Assert.Equal(expected, Hex(PoseidonHash.Hash(inputs)));

        // The reference permutation agrees, and so does the byte-level entry.
        var constants = PoseidonConstants.ForArity(arity);
        Assert.Equal(expected, Hex(PoseidonHash.HashReference(inputs, constants, constants.DomainTag)));
        var bytes = inputs.SelectMany(f => f.ToBytes()).ToArray();
        var output = new byte[32];
        PoseidonHash.Hash(bytes, output);
        Assert.Equal(expected, Convert.ToHexStringLower(output));
    }

    [Fact]
    public void Neptune_arity_2_vector_given_as_an_integer()
    {
        var expected = BigInteger.Parse("0396508d75e76a56b739e0fd902efe161a6fba9339d05a69d2e203c369a02e7ff", NumberStyles.HexNumber);
        Assert.Equal(expected, PoseidonHash.Hash2(Fr.Zero, Fr.One).ToBigInteger());
    }

    /// <summary>rust-fil-proofs filecoin-hashers/src/poseidon.rs <c>test_poseidon_hasher</c>: binary Poseidon tree over [1, 0, 0, 1].</summary>
    [Fact]
    public void Filecoin_hashers_binary_tree()
    {
        var left = PoseidonHash.Hash2(Fr.One, Fr.Zero);
        var right = PoseidonHash.Hash2(Fr.Zero, Fr.One);
        Assert.Equal(Fr.FromLimbs(0xb339ff6079800b5e, 0xec5907b3dc3094af, 0x93c003cc74a24f26, 0x042f94ffbe786bc3), left);
        Assert.Equal("5e0b807960ff39b3af9430dcb30759ec264fa274cc03c093c36b78beff942f04", Hex(left));
        Assert.Equal("ffe7029a363c202e9da6059d33a9fba661e1ef02d90f9e736ba5765ed7086539", Hex(right));
        var root = PoseidonHash.Hash2(left, right);
        Assert.Equal(Fr.FromLimbs(0xefbb8be3e291e671, 0x77cc72b8cb2b5ad2, 0x30eb6385ae6b74ae, 0x1effebb7b26ad9eb), root);
        Assert.Equal("71e691e2e38bbbefd25a2bcbb872cc77ae746bae8563eb30ebd96ab2b7ebff1e", Hex(root));
    }

    /// <summary>rust-fil-proofs filecoin-hashers/src/poseidon.rs <c>test_hash_md</c>, 71 ones: acc = v[0], then acc = H₃₆(acc, next 35) with zero padding.</summary>
    [Fact]
    public void Filecoin_hashers_hash_md_pads_missing_inputs_with_zero()
    {
        var constants = PoseidonConstants.ForArity(36);
        var values = Enumerable.Repeat(Fr.One, 71).ToArray();
        var acc = values[0];
        var inputs = new Fr[36];
        foreach (var chunk in values.Skip(1).Chunk(35))
        {
            inputs[0] = acc;
            chunk.CopyTo(inputs, 1);
            acc = PoseidonHash.Hash(inputs.AsSpan(0, chunk.Length + 1), constants, constants.DomainTag);
        }

        Assert.Equal(Fr.FromLimbs(0x351c54133b332c90, 0xc26f6d625f4e8195, 0x5fd9623643ed9622, 0x59f42220e09ff6f7), acc);
    }

    /// <summary>Derived values (no upstream test pins them): the arity-specialised hashes on all zeros and on 1, …, arity.</summary>
    [Theory]
    [InlineData(2, 0, "d413460e7f14e58b413d1defe188d36fb761afe5c6a733db6c6f1931130bfe48")]
    [InlineData(2, 1, "bea95f3e83d91793d896586e724ec069769d6a43afcbab7b4d1f7f6506816f6d")]
    [InlineData(8, 0, "3a9bffca31b48234d189b30de60b7c33f529c08b0836a004f98938b614e6793f")]
    [InlineData(8, 1, "7ec0e1c106a134b810eee278ecefca3ee8c429116af3d14376e0c48f2ed4ed04")]
    [InlineData(11, 0, "94fe4fc1d1b7c885c9538810707ed5691b68a11db65e2118cf928634ea2d1f44")]
    [InlineData(11, 1, "bd8022e95811611cf4df43adad526f4ccabcda49af1e79861696800ecd7e8104")]
    public void Derived_results_for_zeros_and_one_to_arity(int arity, int first, string expected)
    {
        // first = 0: all zeros; first = 1: the inputs 1, 2, …, arity.
        var inputs = Enumerable.Range(1, arity).Select(i => Fr.FromUInt64(first == 0 ? 0UL : (ulong)i)).ToArray();
        var result = arity switch
        {
            2 => PoseidonHash.Hash2(inputs[0], inputs[1]),
            8 => PoseidonHash.Hash8(inputs),
            _ => PoseidonHash.Hash11(inputs),
        };
        Assert.Equal(expected, Hex(result));
        Assert.Equal(expected, Hex(PoseidonHash.Hash(inputs)));
    }

    /// <summary>neptune's constants: hash_type.rs MerkleTree domain tags, round_constants.rs <c>generate_constants</c> (first two and last
    /// per arity), lib.rs <c>round_numbers</c>.</summary>
    [Theory]
    [InlineData(2, 55, "3", "669f064bfa3ae17a23bd51861dbb4a24501eac92a2758b36a7320a009d6ed3d8", "a61a8defbacca36e4537ff2c84fa66ceee67c9645ac27346e72ab842b9d3f15", "60dfbfa5d5dd06351a917a05466e5884ed12e38ec24d5bb80be0abe065395e5c")]
    [InlineData(4, 56, "f", "45c919736a0e5f2ef32c4c7d0a338eb1fed3d9e317b7580921072285c7e215ca", "3c8b831256b341d54b67d50f8fc3809ba701dafba05b89a271029f031d96cabc", "34e974d8cb3be2818f7a6a121a5c6057ed5037226d29e56d20a5ff71a4bec6eb")]
    [InlineData(8, 57, "ff", "6ce90d12c4045fe08c3caddb776dd84ac52b4ae7e48cd49443984154f2f4c2f9", "ccd9b480c84022b25a75b52c8e89d80b4fa6378d32e58f3a175504940bcec39", "3b3a75eb91b0f723bcc4ab7e449e4a011b8960063efe74670c05e545519d9a8c")]
    [InlineData(11, 57, "7ff", "1f6c9576e648b5047399bfc5f38902e0d506f18e0f3ab77de6de096bd089bce4", "6deba7028df3debd71993e243a5a74768fdf04db7ede8b2258be924c8f08ca9", "4543ca937ff30a73db73c95cf11b2f641c744cc5d6a08d197c29ea4e2aab6a16")]
    [InlineData(16, 59, "ffff", "110ba2bc11394ebdc472727c9683ed70624a37009ffed519b77bcea2c051b459", "62ad7a15f4d6185091512de74134492f4641ed0b53034ba4e1cce129e59c29d2", "107c26e67e3f7a628d99b29213533115a8aca22dfacd1c8c7609d3fdb60eafae")]
    [InlineData(24, 59, "ffffff", "2c21df040fb486eda5e1b307392ad7917e2ae2eff450fd49a0f58b056dceb6b1", "6dd0930c41e65275f824307c57550b7712f02affcc2b202ff65458152f81e5b", "31c4b1ab46a795b261e61fbf92c2d007d16442ea6a2d7f41fc2402b7babfdc7f")]
    [InlineData(36, 60, "fffffffff", "29543a1abae8908320d4f4b833e9e74a3d0afbf85328d4b0d4dd43cc6a7f3b4e", "c9a1179d4b268b27c29753b8eb8a193842b7ed7288c984c7d964c995adc8475", "cbb7c156032d6bbeb11f32a1a95871d6748614e7ac8959e2c9faec2f823e570")]
    public void Constants_match_the_spot_values(int arity, int partialRounds, string tag, string rc0, string rc1, string rcLast)
    {
        var c = PoseidonConstants.ForArity(arity);
        Assert.Equal(arity + 1, c.Width);
        Assert.Equal(8, c.FullRounds);
        Assert.Equal(partialRounds, c.PartialRounds);
        Assert.Equal((8 + partialRounds) * (arity + 1), c.RoundConstants.Length);
        Assert.Equal(Int(tag), c.DomainTag.ToBigInteger());
        Assert.Equal(Int(rc0), c.RoundConstants[0].ToBigInteger());
        Assert.Equal(Int(rc1), c.RoundConstants[1].ToBigInteger());
        Assert.Equal(Int(rcLast), c.RoundConstants[^1].ToBigInteger());
        Assert.Same(c, PoseidonConstants.ForArity(arity));
    }

    /// <summary>
    /// All 585 arity-8 constants: SHA-256 of their 32-byte little-endian encodings in order, taken from
    /// neptune's parameters/round_constants-1-1-255-9-8-57-….txt (585 values, checked one by one).
    /// </summary>
    [Fact]
    public void Arity_8_round_constants_match_neptune_parameter_file_digest()
    {
        var c = PoseidonConstants.ForArity(8);
        Assert.Equal(585, c.RoundConstants.Length);
        var bytes = new byte[585 * 32];
        for (var i = 0; i < 585; i++)
        {
            c.RoundConstants[i].WriteBytes(bytes.AsSpan(i * 32, 32));
        }

        Assert.Equal("9a4a743575f0eaf285c93d73f8adaf4e7ef4042c2445b42bddaf1a64e5face72", Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    /// <summary>neptune mds.rs <c>generate_mds</c>: the t = 3 Cauchy matrix, M[i][j] = 1/(i + j + 3).</summary>
    [Fact]
    public void Mds_matrix_for_arity_2()
    {
        string[] expected =
        [
            "4d491a377113a8daccd13ab0066be558e27e6d5755543d54aaaaaaaa00000001", "56f23d7e5f361df6266b620607396203fece3b023ffec4ff3fffffff40000001", "458e97984c2b4b2b51ef819e6c2de803323e959b66656a65cccccccc33333334",
            "56f23d7e5f361df6266b620607396203fece3b023ffec4ff3fffffff40000001", "458e97984c2b4b2b51ef819e6c2de803323e959b66656a65cccccccc33333334", "609b60c54d5893118005895c0806deaf1b1e08ad2aa94ca9d555555480000001",
            "458e97984c2b4b2b51ef819e6c2de803323e959b66656a65cccccccc33333334", "609b60c54d5893118005895c0806deaf1b1e08ad2aa94ca9d555555480000001", "211f5460e751918257c7624b7077624aaa362edc49241a48db6db6db24924925",
        ];
        var mds = PoseidonConstants.ForArity(2).MdsMatrix;
        Assert.Equal(expected.Select(Int), mds.ToArray().Select(f => f.ToBigInteger()));
    }

    [Fact]
    public void Fast_form_equals_the_reference_permutation_on_random_inputs()
    {
        var rng = new Random(5);
        foreach (var arity in PoseidonConstants.SupportedArities)
        {
            var c = PoseidonConstants.ForArity(arity);
            for (var k = 0; k < 3; k++)
            {
                var inputs = Enumerable.Range(0, arity).Select(_ => Fr.FromBigInteger(new BigInteger(RandomNumber(rng), isUnsigned: true))).ToArray();
                Assert.Equal(PoseidonHash.HashReference(inputs, c, c.DomainTag), PoseidonHash.Hash(inputs));
            }

            // Another domain tag and a short preimage (ConstantLength style) take the same path.
            var tag = PoseidonConstants.ConstantLengthTag(arity - 1);
            var shortInputs = Enumerable.Range(1, arity - 1).Select(i => Fr.FromUInt64((ulong)i)).ToArray();
            Assert.Equal(PoseidonHash.HashReference(shortInputs, c, tag), PoseidonHash.Hash(shortInputs, c, tag));
        }
    }

    [Fact]
    public void Byte_level_groups_equal_the_element_permutation_for_every_arity()
    {
        var rng = new Random(9);
        foreach (var arity in PoseidonConstants.SupportedArities)
        {
            const int groups = 5;
            var values = Enumerable.Range(0, groups * arity).Select(_ => Fr.FromBigInteger(new BigInteger(RandomNumber(rng), isUnsigned: true))).ToArray();
            var input = new byte[values.Length * 32];
            for (var i = 0; i < values.Length; i++)
            {
                values[i].WriteBytes(input.AsSpan(i * 32, 32));
            }

            var output = new byte[groups * 32];
            PoseidonHash.HashGroups(input, output, arity);
            for (var g = 0; g < groups; g++)
            {
                Assert.Equal(PoseidonHash.Hash(values.AsSpan(g * arity, arity)).ToBytes(), output[(g * 32)..((g + 1) * 32)]);
            }

            // p itself, in the last group, is refused.
            Fr.Modulus.ToByteArray(isUnsigned: true).CopyTo(input, input.Length - 32);
            Assert.Throws<ProofsException>(() => PoseidonHash.HashGroups(input, output, arity));
        }
    }

    [Fact]
    public void Constant_length_tag_is_length_times_two_to_the_64()
        => Assert.Equal(new BigInteger(11) << 64, PoseidonConstants.ConstantLengthTag(11).ToBigInteger());

    [Fact]
    public void Wrong_input_counts_and_non_canonical_bytes_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PoseidonHash.Hash(new Fr[3]));
        Assert.Throws<ArgumentException>(() => PoseidonHash.Hash(new Fr[7], PoseidonConstants.ForArity(8)));
        Assert.Throws<ArgumentException>(() => PoseidonHash.Hash(new byte[65], new byte[32]));
        var bytes = new byte[64];
        bytes.AsSpan(32).Fill(0xff);
        Assert.Throws<ProofsException>(() => PoseidonHash.Hash(bytes, new byte[32]));
    }

    /// <summary>tree_c leaf 0 = H₂(label₁[0], label₂[0]) and comm_r = H₂(comm_c, comm_r_last) of the lotus-bench 2 KiB sector (comm_r as
    /// Lotus cmd/lotus-bench/simple.go's example prints it).</summary>
    [Fact]
    public void Lotus_bench_2KiB_column_and_comm_r()
    {
        var l1 = Fr.FromBytes(Convert.FromHexString("8bb2a3ececaa322edaf0d3c993a3538796cd463e2a92689299ea38ff040dcb1c"));
        var l2 = Fr.FromBytes(Convert.FromHexString("7320201e9269a6da77c418c473f0db68a08380f7b3937411f505713059a0091f"));
        Assert.Equal("bd03dea9bb2484b56c36c2c0e552e648dcc31f75e6802be3a3e82e7437b23026", Hex(PoseidonHash.Hash2(l1, l2)));

        var commC = Fr.FromBytes(Convert.FromHexString("95dd0e3fd2b1226dfcff24b2c337b96a965aebea8fa2c3ed1a0470582191de0b"));
        var commRLast = Fr.FromBytes(Convert.FromHexString("d75cfa6d30ece5e2d0354a1f855d7fb128e42e84a16a133278fd9ea8b72a8f15"));
        Assert.Equal("c647b998c78282296cfd1160714228d43f3b054dfbbb77172b68115ba3c3b762", Hex(PoseidonHash.Hash2(commC, commRLast)));
    }

    private static byte[] RandomNumber(Random rng)
    {
        var bytes = new byte[32];
        rng.NextBytes(bytes);
        return bytes;
    }

    private static string Hex(Fr value) => Convert.ToHexStringLower(value.ToBytes());

    private static BigInteger Int(string hex) => BigInteger.Parse("0" + hex, NumberStyles.HexNumber);
}
