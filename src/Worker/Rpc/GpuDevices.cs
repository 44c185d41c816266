using System.Diagnostics;

namespace Kiln.Worker.Rpc;

/// <summary>
/// The GPU names a worker reports in <c>WorkerResources.GPUs</c> (Lotus: <c>ffi.GetGPUDevices</c>, the names of the
/// devices the proofs library can use): NVIDIA devices from the driver's <c>/proc/driver/nvidia/gpus/*/information</c>
/// "Model:" lines, else from <c>nvidia-smi -L</c> when it is installed; none otherwise.
/// </summary>
public static class GpuDevices
{
    private static readonly TimeSpan NvidiaSmiTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The device names, in bus order; <paramref name="nvidiaSmiList"/> gives <c>nvidia-smi -L</c>'s output or null (default: run it when on PATH).</summary>
    public static IReadOnlyList<string> Detect(HostPaths host, Func<string?>? nvidiaSmiList = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        var fromProc = FromProc(host);
        if (fromProc.Count > 0)
        {
            return fromProc;
        }

        return (nvidiaSmiList ?? RunNvidiaSmi)() is { } output ? ParseNvidiaSmiList(output) : [];
    }

    /// <summary>The "Model:" line of each <c>driver/nvidia/gpus/&lt;bus id&gt;/information</c>, by bus id.</summary>
    public static IReadOnlyList<string> FromProc(HostPaths host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var gpus = host.ProcFile("driver/nvidia/gpus");
        if (!Directory.Exists(gpus))
        {
            return [];
        }

        var names = new List<string>();
        foreach (var dir in Directory.GetDirectories(gpus).Order(StringComparer.Ordinal))
        {
            var information = Path.Combine(dir, "information");
            if (!File.Exists(information))
            {
                continue;
            }

            foreach (var line in File.ReadLines(information))
            {
                if (line.StartsWith("Model:", StringComparison.Ordinal) && line["Model:".Length..].Trim() is { Length: > 0 } model)
                {
                    names.Add(model);
                    break;
                }
            }
        }

        return names;
    }

    /// <summary><c>GPU 0: NVIDIA GeForce RTX 3090 (UUID: GPU-…)</c> lines: the names.</summary>
    public static IReadOnlyList<string> ParseNvidiaSmiList(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var names = new List<string>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (!line.StartsWith("GPU ", StringComparison.Ordinal) || colon < 0)
            {
                continue;
            }

            var name = line[(colon + 1)..];
            var uuid = name.LastIndexOf(" (UUID:", StringComparison.Ordinal);
            name = (uuid >= 0 ? name[..uuid] : name).Trim();
            if (name.Length > 0)
            {
                names.Add(name);
            }
        }

        return names;
    }

    private static string? RunNvidiaSmi()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "nvidia-smi"))
            .FirstOrDefault(File.Exists);
        if (path is null)
        {
            return null;
        }

        try
        {
            using var process = Process.Start(new ProcessStartInfo(path, "-L") { RedirectStandardOutput = true, UseShellExecute = false });
            if (process is null)
            {
                return null;
            }

            var output = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(NvidiaSmiTimeout))
            {
                process.Kill(entireProcessTree: true);
                return null;
            }

            return process.ExitCode == 0 ? output.GetAwaiter().GetResult() : null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            return null;
        }
    }
}
