namespace Kiln.Proofs.Snark;

/// <summary>Makes the <see cref="ISnarkProver"/> that <see cref="SnarkProverOptions"/> asks for.</summary>
public static class SnarkProverFactory
{
    /// <summary>
    /// <see cref="InsecureTestProver"/> when <see cref="SnarkProverOptions.UseInsecureTestProofs"/> is set, otherwise
    /// <see cref="FilCryptoProver"/>. The latter is made even when libfilcrypto is missing: each call then fails with a
    /// message naming FILCRYPTO_LIB (see <see cref="FilCryptoProver.WhyUnavailable"/>).
    /// </summary>
    /// <param name="options">The options; validated here.</param>
    /// <param name="vanillaCheck">Passed to <see cref="InsecureTestProver"/>; ignored by the real prover, which checks vanilla proofs itself.</param>
    public static ISnarkProver Create(SnarkProverOptions options, Func<RegisteredPoStProof, ReadOnlyMemory<byte>, byte[], bool>? vanillaCheck = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options.UseInsecureTestProofs
            ? new InsecureTestProver(vanillaCheck)
            : new FilCryptoProver(options.LibraryPath);
    }
}
