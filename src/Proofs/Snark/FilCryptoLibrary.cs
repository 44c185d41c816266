using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Kiln.Proofs.Snark;

/// <summary>
/// libfilcrypto, loaded on first use with <see cref="NativeLibrary"/> (never unloaded: calls may be in flight on
/// other threads), and its exports resolved one by one. A missing library or symbol fails only the steps that need
/// it, with a <see cref="ProofsException"/> that says what to do.
/// </summary>
internal sealed class FilCryptoLibrary
{
    /// <summary>The name handed to the system loader when no path is configured (libfilcrypto.so).</summary>
    public const string SystemName = "filcrypto";

    private const string BuildHint = "set " + SnarkProverOptions.LibraryPathVariable + " to the path of libfilcrypto.so built as a cdylib from filecoin-ffi";

    private readonly Lazy<(nint Handle, string? Error)> _handle;
    private readonly ConcurrentDictionary<string, nint> _exports = new(StringComparer.Ordinal);

    /// <param name="path">The library file; null to ask the system loader for <see cref="SystemName"/>.</param>
    public FilCryptoLibrary(string? path)
    {
        Path = path;
        _handle = new Lazy<(nint, string?)>(Load, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The configured path, or null for the system loader's <c>libfilcrypto.so</c>.</summary>
    public string? Path { get; }

    /// <summary>Why the library cannot be used, or null once it has loaded. Loads it on first use.</summary>
    public string? WhyUnavailable => _handle.Value.Error;

    private string Description => Path is null ? "libfilcrypto" : $"libfilcrypto at '{Path}'";

    /// <summary>The entry point and destroy function of <paramref name="function"/>.</summary>
    /// <exception cref="ProofsException">The library or one of the two symbols is missing.</exception>
    public (nint Call, nint Destroy) Resolve(FilCryptoFunction function) => Resolve(function, function.Name);

    /// <summary>Both symbols of <paramref name="function"/>, failing in the name of <paramref name="step"/>.</summary>
    /// <exception cref="ProofsException">The library or one of the two symbols is missing.</exception>
    public (nint Call, nint Destroy) Resolve(FilCryptoFunction function, string step) =>
        (Export(function.Name, step), Export(function.Destroy, step));

    private nint Export(string symbol, string step)
    {
        var (handle, error) = _handle.Value;
        if (error is not null)
        {
            throw new ProofsException($"{error}: SNARK step {step} cannot run");
        }

        var address = _exports.GetOrAdd(symbol, static (name, h) => NativeLibrary.TryGetExport(h, name, out var a) ? a : 0, handle);
        if (address == 0)
        {
            throw new ProofsException(
                $"{Description} has no symbol '{symbol}' (is it a cdylib built from filecoin-ffi? {BuildHint}): SNARK step {step} cannot run");
        }

        return address;
    }

    private (nint, string?) Load()
    {
        if (Path is null)
        {
            return NativeLibrary.TryLoad(SystemName, typeof(FilCryptoLibrary).Assembly, null, out var found)
                ? (found, null)
                : (0, $"libfilcrypto not found ({BuildHint})");
        }

        try
        {
            return (NativeLibrary.Load(Path), null);
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            return (0, $"libfilcrypto could not be loaded from '{Path}' ({BuildHint}): {e.Message}");
        }
    }
}
