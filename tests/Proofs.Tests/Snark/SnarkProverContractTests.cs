using Kiln.Proofs.Snark;

namespace Kiln.Proofs.Tests.Snark;

/// <summary>
/// Both provers reject arguments of the wrong shape the same way, before any work (the real prover here points at a
/// library that does not exist, so it never gets as far as loading it).
/// </summary>
public class SnarkProverContractTests
{
    private static readonly byte[] Good = new byte[32];
    private static readonly byte[] Short = new byte[31];
    private static readonly byte[][] OneVanilla = [new byte[64]];

    public static TheoryData<string> Provers => ["insecure", "filcrypto"];

    [Theory]
    [MemberData(nameof(Provers))]
    public void Values_that_must_be_32_bytes_are_checked(string name)
    {
        var prover = Make(name);
        Assert.Equal("proverId", Assert.Throws<ArgumentException>(() => prover.SealCommitPhase2("{}"u8, 1, Short)).ParamName);
        Assert.Equal("seed", Assert.Throws<ArgumentException>(
            () => prover.VerifySeal(RegisteredSealProof.StackedDrg2KiBV1_1, Good, Good, Good, Good, Short, 1, [])).ParamName);
        Assert.Equal("randomness", Assert.Throws<ArgumentException>(
            () => prover.GenerateWindowPoStWithVanilla(RegisteredPoStProof.StackedDrgWindow2KiBV1_1, Short, Good, OneVanilla)).ParamName);
        Assert.Equal("proverId", Assert.Throws<ArgumentException>(
            () => prover.VerifyWindowPoSt(Good, [new(RegisteredPoStProof.StackedDrgWindow2KiBV1, Good, 1)], [new(RegisteredPoStProof.StackedDrgWindow2KiBV1, new byte[192])], Short)).ParamName);
        Assert.Equal("commR", Assert.Throws<ArgumentException>(() => new PublicReplica(RegisteredPoStProof.StackedDrgWindow2KiBV1, Short, 1)).ParamName);
    }

    [Theory]
    [MemberData(nameof(Provers))]
    public void PoSt_types_and_vanilla_lists_are_checked(string name)
    {
        var prover = Make(name);
        Assert.Throws<ArgumentOutOfRangeException>(() => prover.GenerateWindowPoStWithVanilla((RegisteredPoStProof)15, Good, Good, OneVanilla));
        Assert.Throws<ArgumentOutOfRangeException>(() => prover.GetNumPartitionForFallbackPoSt((RegisteredPoStProof)(-1), 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => prover.VerifySeal((RegisteredSealProof)20, Good, Good, Good, Good, Good, 1, []));
        Assert.Contains("needs a Winning", Assert.Throws<ArgumentException>(
            () => prover.GenerateWinningPoStWithVanilla(RegisteredPoStProof.StackedDrgWindow2KiBV1, Good, Good, OneVanilla)).Message, StringComparison.Ordinal);
        Assert.Contains("needs a Window", Assert.Throws<ArgumentException>(
            () => prover.GenerateSingleWindowPoStWithVanilla(RegisteredPoStProof.StackedDrgWinning2KiBV1, Good, Good, OneVanilla, 0)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => prover.GenerateWindowPoStWithVanilla(RegisteredPoStProof.StackedDrgWindow2KiBV1, Good, Good, []));
        Assert.Throws<ArgumentException>(() => prover.GenerateWindowPoStWithVanilla(RegisteredPoStProof.StackedDrgWindow2KiBV1, Good, Good, [null!]));
        Assert.Throws<ArgumentException>(() => prover.GenerateWinningPoStWithVanilla(RegisteredPoStProof.StackedDrgWinning2KiBV1, Good, Good, [Good, Good]));
        Assert.Throws<ArgumentOutOfRangeException>(
            () => prover.GenerateSingleWindowPoStWithVanilla(RegisteredPoStProof.StackedDrgWindow2KiBV1, Good, Good, OneVanilla, -1));
        Assert.Throws<ArgumentException>(() => prover.MergeWindowPoStPartitionProofs(RegisteredPoStProof.StackedDrgWindow2KiBV1, []));
        Assert.Throws<ArgumentException>(() => prover.VerifyWinningPoSt(Good, [], [new(0, new byte[192])], Good));
    }

    private static ISnarkProver Make(string name) => name == "insecure"
        ? new InsecureTestProver()
        : new FilCryptoProver(Path.Combine(Path.GetTempPath(), "kiln-no-such-dir", "libfilcrypto.so"));
}
