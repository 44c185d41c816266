using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Kiln.Api.Types;
using Kiln.Stores.Local;

namespace Kiln.Cluster.Tests;

/// <summary>Starts kiln-miner and kiln-worker processes (the executables built next to the tests) for process-level cluster tests.</summary>
internal static class KilnProcesses
{
    private static readonly ConditionalWeakTable<Process, ProcessLog> Logs = [];

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>A storage path that can seal and store, with its sectorstore.json.</summary>
    public static async Task<string> StoragePathAsync(string path)
    {
        Directory.CreateDirectory(path);
        await new LocalStorageMeta(StorageId.New(), 10, CanSeal: true, CanStore: true, 0, null, null, null, null, null, null).SaveAsync(path, CancellationToken.None);
        return path;
    }

    /// <summary>kiln-worker run with a repo under <paramref name="dir"/> whose storage.json lists <paramref name="storage"/>.</summary>
    public static async Task<Process> StartWorkerAsync(string dir, string name, string storage, string minerApiInfo)
    {
        var repo = Path.Combine(dir, name);
        Directory.CreateDirectory(repo);
        await new StorageConfig([new LocalPathConfig(storage)]).SaveAsync(Path.Combine(repo, "storage.json"), CancellationToken.None);
        return Start(
            "kiln-worker",
            ["--worker-repo", repo, "run", "--listen", $"127.0.0.1:{FreePort()}", "--name", name, "--no-local-storage"],
            new() { ["MINER_API_INFO"] = minerApiInfo, ["FIL_PROOFS_PARENT_CACHE"] = Path.Combine(dir, "parents") });
    }

    /// <summary>
    /// Starts <paramref name="executable"/> with its stdout and stderr captured in its <see cref="Log"/>. Kiln's own
    /// log lines are at Information (unless <paramref name="environment"/> says otherwise), so tests can wait on them.
    /// </summary>
    public static Process Start(string executable, IEnumerable<string> args, Dictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, executable)) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        // The test run may set a quieter default in its environment, which the child inherits.
        psi.Environment["Logging__LogLevel__Kiln"] = "Information";
        foreach (var (k, v) in environment ?? [])
        {
            psi.Environment[k] = v;
        }

        var p = Process.Start(psi)!;
        var log = new ProcessLog();
        Logs.Add(p, log);
        log.Attach(p);
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    /// <summary>The captured output of a process <see cref="Start"/> started.</summary>
    public static ProcessLog Log(Process process) =>
        Logs.TryGetValue(process, out var log) ? log : throw new InvalidOperationException($"process {process.Id} was not started by KilnProcesses.Start");

    /// <summary>
    /// Waits for a line of <paramref name="process"/>'s output matching <paramref name="pattern"/> (a regular
    /// expression), written at or after line <paramref name="from"/>; returns it.
    /// </summary>
    public static Task<string> WaitForLineAsync(Process process, string pattern, string what, int from = 0, TimeSpan? patience = null) =>
        Log(process).WaitForLineAsync(pattern, what, from, patience);

    /// <summary>Sends a POSIX signal by name (STOP, CONT) to a process.</summary>
    public static async Task SignalAsync(Process process, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    public static async Task StopAllAsync(IEnumerable<Process> processes)
    {
        foreach (var p in processes)
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
                await p.WaitForExitAsync();
            }

            p.Dispose();
        }
    }
}
