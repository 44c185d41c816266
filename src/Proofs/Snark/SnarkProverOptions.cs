namespace Kiln.Proofs.Snark;

/// <summary>Which SNARK prover a process uses (<see cref="SnarkProverFactory"/>) and where libfilcrypto is.</summary>
public sealed class SnarkProverOptions
{
    /// <summary>Environment variable naming libfilcrypto.so (built as a cdylib from filecoin-ffi).</summary>
    public const string LibraryPathVariable = "FILCRYPTO_LIB";

    /// <summary>Default <see cref="UseInsecureTestProofs"/>: off.</summary>
    public const bool DefaultUseInsecureTestProofs = false;

    /// <summary>
    /// Path of libfilcrypto.so; null (the default) asks the system loader for <c>filcrypto</c>
    /// (LD_LIBRARY_PATH, the application directory, the usual library directories).
    /// </summary>
    public string? LibraryPath { get; set; }

    /// <summary>
    /// Use <see cref="InsecureTestProver"/>: keyed-hash stand-ins for SNARKs that are not valid on any network, for
    /// devnets and tests without libfilcrypto or its parameters. Default <see cref="DefaultUseInsecureTestProofs"/>.
    /// </summary>
    public bool UseInsecureTestProofs { get; set; } = DefaultUseInsecureTestProofs;

    /// <summary>Binds <c>FILCRYPTO_LIB</c> onto <see cref="LibraryPath"/>.</summary>
    /// <param name="environment">Variable lookup; the process environment when null.</param>
    public static SnarkProverOptions FromEnvironment(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var options = new SnarkProverOptions
        {
            LibraryPath = environment(LibraryPathVariable) is { Length: > 0 } path ? path.Trim() : null,
        };
        options.Validate();
        return options;
    }

    /// <exception cref="ProofsException">The library path is set but blank.</exception>
    public void Validate()
    {
        if (LibraryPath is not null && string.IsNullOrWhiteSpace(LibraryPath))
        {
            throw new ProofsException($"SnarkProverOptions.LibraryPath ({LibraryPathVariable}) is blank: unset it or give the path of libfilcrypto.so");
        }
    }
}
