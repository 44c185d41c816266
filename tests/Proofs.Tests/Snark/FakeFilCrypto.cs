using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Kiln.Proofs.Tests.Snark;

/// <summary>
/// tests/native/fake_filcrypto.c (copied next to the test assembly) compiled with cc into a temporary directory, once
/// per test run: the full fake, and a variant lacking merge_window_post_partition_proofs and
/// destroy_verify_seal_response. Exposes the fake's bookkeeping hooks.
/// </summary>
internal sealed unsafe class FakeFilCrypto
{
    public const string OmittingVariant = "-DFAKE_OMIT_MERGE -DFAKE_OMIT_DESTROY_VERIFY_SEAL";

    private static readonly Lazy<string?> MissingCompiler = new(FindMissingCompiler);
    private static readonly Lazy<string> Directory = new(MakeDirectory);
    private static readonly Lazy<FakeFilCrypto> Full = new(() => new FakeFilCrypto("libfake_filcrypto.so", string.Empty));
    private static readonly Lazy<FakeFilCrypto> Omitting = new(() => new FakeFilCrypto("libfake_filcrypto_omitting.so", OmittingVariant));

    private readonly delegate* unmanaged<nuint> _live;
    private readonly delegate* unmanaged<nuint> _created;
    private readonly delegate* unmanaged<nuint> _destroyed;
    private readonly delegate* unmanaged<nuint> _misuses;
    private readonly delegate* unmanaged<byte*> _lastMisuse;

    private FakeFilCrypto(string fileName, string defines)
    {
        Path = System.IO.Path.Combine(Directory.Value, fileName);
        Compile(Path, defines);
        var handle = NativeLibrary.Load(Path);
        _live = (delegate* unmanaged<nuint>)NativeLibrary.GetExport(handle, "fake_live_allocations");
        _created = (delegate* unmanaged<nuint>)NativeLibrary.GetExport(handle, "fake_results_created");
        _destroyed = (delegate* unmanaged<nuint>)NativeLibrary.GetExport(handle, "fake_results_destroyed");
        _misuses = (delegate* unmanaged<nuint>)NativeLibrary.GetExport(handle, "fake_misuses");
        _lastMisuse = (delegate* unmanaged<byte*>)NativeLibrary.GetExport(handle, "fake_last_misuse");
    }

    /// <summary>Why the fake cannot be built here (no C compiler), or null.</summary>
    public static string? WhyUnavailable => MissingCompiler.Value;

    /// <summary>The fake with every function.</summary>
    public static FakeFilCrypto Library => Full.Value;

    /// <summary>The fake without merge_window_post_partition_proofs and destroy_verify_seal_response.</summary>
    public static FakeFilCrypto LibraryMissingSymbols => Omitting.Value;

    public string Path { get; }

    /// <summary>Allocations the fake handed out (results, their contents, alloc_boxed_slice) that are not freed yet.</summary>
    public long LiveAllocations => (long)_live();

    public long ResultsCreated => (long)_created();

    public long ResultsDestroyed => (long)_destroyed();

    /// <summary>Wrong destroy functions, double frees, foreign pointers, boxed slices not from alloc_boxed_slice.</summary>
    public long Misuses => (long)_misuses();

    public string LastMisuse => Marshal.PtrToStringUTF8((nint)_lastMisuse()) ?? string.Empty;

    /// <summary>The bookkeeping now, to compare with after a call (<see cref="AssertClean"/>).</summary>
    public (long Created, long Misuses) Mark() => (ResultsCreated, Misuses);

    /// <summary>
    /// Asserts that since <paramref name="mark"/> exactly <paramref name="results"/> Results were made, every one
    /// was destroyed, nothing the fake allocated is still live and no misuse happened.
    /// </summary>
    public void AssertClean((long Created, long Misuses) mark, int results = 1)
    {
        Assert.True(Misuses == mark.Misuses, $"misuse: {LastMisuse}");
        Assert.Equal(mark.Created + results, ResultsCreated);
        Assert.Equal(ResultsCreated, ResultsDestroyed);
        Assert.Equal(0, LiveAllocations);
    }

    private static string? FindMissingCompiler()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries).Any(d => File.Exists(System.IO.Path.Combine(d, "cc")))
            ? null
            : "no C compiler (cc) on PATH to build tests/native/fake_filcrypto.c; scripts/test.sh installs gcc";
    }

    private static string MakeDirectory()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("kiln-fake-filcrypto-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                System.IO.Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        };
        return directory;
    }

    private static void Compile(string output, string defines)
    {
        var source = System.IO.Path.Combine(AppContext.BaseDirectory, "native", "fake_filcrypto.c");
        Assert.True(File.Exists(source), $"{source} is missing: Proofs.Tests.csproj copies tests/native/ next to the test assembly");
        using var cc = Process.Start(new ProcessStartInfo("cc", $"-shared -fPIC -O1 -Wall -Werror {defines} -o \"{output}\" \"{source}\"")
        {
            RedirectStandardError = true,
        })!;
        var errors = cc.StandardError.ReadToEnd();
        cc.WaitForExit();
        Assert.True(cc.ExitCode == 0, $"cc failed on {source}:\n{errors}");
    }
}
