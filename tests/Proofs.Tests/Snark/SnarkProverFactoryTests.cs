using Kiln.Proofs.Snark;

namespace Kiln.Proofs.Tests.Snark;

public class SnarkProverFactoryTests
{
    [Fact]
    public void FILCRYPTO_LIB_is_bound_onto_the_library_path()
    {
        var options = SnarkProverOptions.FromEnvironment(name => name == "FILCRYPTO_LIB" ? " /opt/ffi/libfilcrypto.so " : null);

        Assert.Equal("/opt/ffi/libfilcrypto.so", options.LibraryPath);
        Assert.False(options.UseInsecureTestProofs);
        Assert.Null(SnarkProverOptions.FromEnvironment(_ => null).LibraryPath);
    }

    [Fact]
    public void The_real_prover_is_made_even_when_its_library_is_missing()
    {
        var prover = SnarkProverFactory.Create(new SnarkProverOptions { LibraryPath = "/nonexistent/libfilcrypto.so" });

        var filcrypto = Assert.IsType<FilCryptoProver>(prover);
        Assert.Equal("/nonexistent/libfilcrypto.so", filcrypto.LibraryPath);
        Assert.Contains("FILCRYPTO_LIB", filcrypto.WhyUnavailable, StringComparison.Ordinal);
        var e = Assert.Throws<ProofsException>(() => prover.GetNumPartitionForFallbackPoSt(RegisteredPoStProof.StackedDrgWindow2KiBV1, 1));
        Assert.Contains("SNARK step get_num_partition_for_fallback_post cannot run", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Insecure_test_proofs_are_used_only_when_asked_for()
    {
        var prover = SnarkProverFactory.Create(new SnarkProverOptions { UseInsecureTestProofs = true }, (_, _, _) => false);

        Assert.IsType<InsecureTestProver>(prover);
        Assert.True(prover.IsInsecure);
        Assert.Throws<PoStFaultySectorsException>(
            () => prover.GenerateWinningPoStWithVanilla(RegisteredPoStProof.StackedDrgWinning2KiBV1, new byte[32], new byte[32], [new byte[40]]));
    }

    [Fact]
    public void A_blank_library_path_is_refused()
    {
        Assert.Throws<ProofsException>(() => SnarkProverFactory.Create(new SnarkProverOptions { LibraryPath = " " }));
    }
}
