using Kiln.Worker.Run;
using Microsoft.Extensions.Time.Testing;

namespace Kiln.Worker.Tests;

/// <summary>--panic-reports (Lotus build.GenerateMinerPanicReport) and --enable-gpu-proving=false's BELLMAN_NO_GPU.</summary>
public sealed class PanicReportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-panic-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static FakeTimeProvider FixedClock(DateTimeOffset now)
    {
        var clock = new FakeTimeProvider(now);
        clock.SetLocalTimeZone(TimeZoneInfo.Utc);
        return clock;
    }

    [Fact]
    public void A_report_holds_the_version_and_the_stack_in_a_lotus_named_directory()
    {
        Exception thrown;
        try
        {
            throw new NullReferenceException("boom in the worker");
        }
        catch (NullReferenceException e)
        {
            thrown = e;
        }

        Assert.True(PanicReport.IsPanic(thrown));
        var path = PanicReport.Write(_dir, thrown, FixedClock(new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.Zero)));
        Assert.Equal(Path.Combine(_dir, "report_kiln-worker_2025-03-04T050607"), path);
        var stack = File.ReadAllText(Path.Combine(path!, "stacktrace.dump"));
        Assert.Contains("boom in the worker", stack, StringComparison.Ordinal);
        Assert.Contains(nameof(A_report_holds_the_version_and_the_stack_in_a_lotus_named_directory), stack, StringComparison.Ordinal);
        Assert.EndsWith("\n", File.ReadAllText(Path.Combine(path!, "version")), StringComparison.Ordinal);
        Assert.True(File.ReadAllText(Path.Combine(path!, "version")).Trim().Length > 0);
    }

    [Fact]
    public void Bad_input_and_failed_peers_are_errors_not_panics()
    {
        Assert.False(PanicReport.IsPanic(new ArgumentException("bad flag")));
        Assert.False(PanicReport.IsPanic(new Kiln.Proofs.ProofsException("bad sector")));
        Assert.False(PanicReport.IsPanic(new OperationCanceledException()));
        Assert.Null(PanicReport.Write("", new InvalidCastException(), TimeProvider.System));
    }

    [Fact]
    public void Native_environment_is_what_the_proofs_library_reads()
    {
        const string name = "KILN_TEST_NATIVE_ENV_" + "BELLMAN";
        Assert.Null(NativeEnvironment.Get(name));
        NativeEnvironment.Set(name, "true");
        Assert.Equal("true", NativeEnvironment.Get(name));
        Assert.Equal("true", Environment.GetEnvironmentVariable(name));
    }
}
