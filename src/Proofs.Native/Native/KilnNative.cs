using System.Reflection;
using System.Runtime.InteropServices;

namespace Kiln.Proofs.Native;

/// <summary>
/// The optional native SHA-256 kernel (libkiln_native.so, built from native/kiln_native.c by the
/// project build). Used only when it loads and the CPU has SHA-NI; otherwise callers take the
/// managed path, which produces identical bytes.
/// </summary>
internal static unsafe partial class KilnNative
{
    private const string Library = "kiln_native";
    private const int ExpectedVersion = 1;

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
            if (kiln_native_version() != ExpectedVersion)
            {
                return "libkiln_native has an unexpected version";
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
    internal static partial void kiln_sdr_label_range(uint* parents, byte* cur, byte* prev, byte* replicaId, uint layer, ulong start, ulong end);
}
