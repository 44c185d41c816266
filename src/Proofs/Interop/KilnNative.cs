using System.Reflection;
using System.Runtime.InteropServices;
using Kiln.Proofs.Sdr;

namespace Kiln.Proofs.Interop;

/// <summary>
/// The optional native SHA-256 kernel (libkiln_native.so, built from native/kiln_native.c by the
/// project build). Used only when it loads and the CPU has SHA-NI; otherwise callers take the
/// managed path, which produces identical bytes.
/// </summary>
internal static unsafe partial class KilnNative
{
    private const string Library = "kiln_native";
    /// <summary>KILN_NATIVE_VERSION of the kiln_native.c this assembly calls; a library of another version is not used.</summary>
    private const int ExpectedVersion = 2;

    private static readonly Lazy<string?> UnavailableReason = new(Probe);

    static KilnNative()
    {
        NativeLibrary.SetDllImportResolver(typeof(KilnNative).Assembly, Resolve);
    }

    /// <summary>True when the native kernel is loaded and the CPU has SHA-NI.</summary>
    public static bool IsAvailable => UnavailableReason.Value is null;

    /// <summary>Why the native kernel is not used, or null when it is.</summary>
    public static string? WhyUnavailable => UnavailableReason.Value;

    /// <summary>Set KILN_NATIVE_SHA=0 to force the managed path (comparisons, debugging).</summary>
    private static string? Probe()
    {
        if (Environment.GetEnvironmentVariable("KILN_NATIVE_SHA") == "0")
        {
            return "disabled by KILN_NATIVE_SHA=0";
        }

        try
        {
            var version = kiln_native_version();
            if (version != ExpectedVersion)
            {
                return $"libkiln_native.so is version {version}, this build expects {ExpectedVersion} (a stale copy?)";
            }

            return kiln_sha_ni_available() == 1 ? null : "this CPU has no SHA-NI";
        }
        catch (DllNotFoundException)
        {
            return "libkiln_native.so was not built (no C compiler at build time)";
        }
        catch (EntryPointNotFoundException)
        {
            return "libkiln_native.so lacks the expected entry points";
        }
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != Library)
        {
            return IntPtr.Zero;
        }

        var candidate = Path.Combine(AppContext.BaseDirectory, "libkiln_native.so");
        return NativeLibrary.TryLoad(candidate, out var handle) ? handle : IntPtr.Zero;
    }

    [LibraryImport(Library)]
    internal static partial int kiln_native_version();

    [LibraryImport(Library)]
    internal static partial int kiln_sha_ni_available();

    [LibraryImport(Library)]
    internal static partial void kiln_sha254_pairs(byte* input, byte* output, nuint count);

    [LibraryImport(Library)]
    internal static partial void kiln_sdr_label_batch(uint* parents, LayerBlocks* cur, LayerBlocks* prev, byte* replicaIds, uint count, uint layer, ulong start, ulong end);
}
