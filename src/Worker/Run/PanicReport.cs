using System.Globalization;
using System.Reflection;
using Kiln.Api.JsonRpc;
using Kiln.Proofs;
using Kiln.Stores;

namespace Kiln.Worker.Run;

/// <summary>
/// kiln-worker's crash report (Lotus build.GenerateMinerPanicReport, written by lotus-worker's App After hook on a
/// panic): a directory <c>report_kiln-worker_&lt;2006-01-02T150405&gt;</c> under <c>--panic-reports</c> with a
/// <c>version</c> file and the exception with its stack in <c>stacktrace.dump</c>.
/// </summary>
public static class PanicReport
{
    /// <summary>The label in report names (Lotus: the app name).</summary>
    public const string Label = "kiln-worker";

    /// <summary>
    /// True for an exception that is a bug rather than bad input or a failed peer: the kinds kiln-worker's entry point
    /// reports as one ERROR line (the equivalent of a Go error) are not panics.
    /// </summary>
    public static bool IsPanic(Exception e) => e is not (ProofsException or StoresException or RpcException or HttpRequestException
        or InvalidOperationException or ArgumentException or FormatException or IOException or UnauthorizedAccessException or OperationCanceledException);

    /// <summary>Writes a report for <paramref name="e"/> into <paramref name="directory"/>; returns its path, or null when it could not be written.</summary>
    public static string? Write(string directory, Exception e, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(time);
        if (string.IsNullOrEmpty(directory))
        {
            return null;
        }

        var name = string.Create(CultureInfo.InvariantCulture, $"report_{Label}_{time.GetLocalNow():yyyy-MM-dd'T'HHmmss}");
        var path = Path.Combine(directory, name);
        try
        {
            Directory.CreateDirectory(path);
            File.WriteAllText(Path.Combine(path, "version"), Version + "\n");
            File.WriteAllText(Path.Combine(path, "stacktrace.dump"), e + "\n");
            Console.Error.WriteLine($"kiln-worker: panic report written to {path}");
            return path;
        }
        catch (Exception io) when (io is IOException or UnauthorizedAccessException)
        {
            // Lotus logs and goes on: the original failure is what matters.
            Console.Error.WriteLine($"kiln-worker: could not write a panic report to {path}: {io.Message}");
            return null;
        }
    }

    /// <summary>Writes a report for an exception no code catches (a background thread's) while the returned scope lives.</summary>
    public static IDisposable WatchUnhandled(string directory, TimeProvider time) => new Watch(directory, time);

    private static string Version =>
        typeof(PanicReport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(PanicReport).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    private sealed class Watch : IDisposable
    {
        private readonly string _directory;
        private readonly TimeProvider _time;

        public Watch(string directory, TimeProvider time)
        {
            _directory = directory;
            _time = time;
            AppDomain.CurrentDomain.UnhandledException += OnUnhandled;
        }

        public void Dispose() => AppDomain.CurrentDomain.UnhandledException -= OnUnhandled;

        private void OnUnhandled(object sender, UnhandledExceptionEventArgs args)
        {
            if (args.ExceptionObject is Exception e)
            {
                Write(_directory, e, _time);
            }
        }
    }
}
