using System.Globalization;

namespace Kiln.Worker.Rpc;

/// <summary>Memory figures from <c>/proc/meminfo</c>, in bytes (all zero where the file does not exist).</summary>
public readonly record struct MemInfo(ulong Physical, ulong Used, ulong Swap, ulong SwapUsed)
{
    public const string ProcMemInfo = "/proc/meminfo";

    public static MemInfo Read(string path = ProcMemInfo) =>
        File.Exists(path) ? Parse(File.ReadAllLines(path)) : default;

    /// <summary>
    /// What the worker reports in <c>Info</c>, as Lotus storage/sealer/worker_local.go <c>memInfo</c>: the host's
    /// figures, then a cgroup v1 and then a cgroup v2 limit where it is below them (with the cgroup's use), and no swap
    /// at all with <paramref name="noSwap"/> (<c>--no-swap</c>).
    /// </summary>
    public static MemInfo ForWorker(HostPaths host, bool noSwap)
    {
        ArgumentNullException.ThrowIfNull(host);
        var mem = Read(host.ProcFile("meminfo"));
        mem = mem.Limit(CgroupMemory.ReadV1(host, Environment.ProcessId));
        mem = mem.Limit(CgroupMemory.ReadV2(host));
        return noSwap ? mem with { Swap = 0, SwapUsed = 0 } : mem;
    }

    /// <summary>Lotus memInfo's rule: a cgroup limit above zero and below the current figure replaces it, and its use the used figure.</summary>
    public MemInfo Limit(CgroupMemory? cgroup)
    {
        if (cgroup is not { } c)
        {
            return this;
        }

        var mem = this;
        if (c.MemoryMax > 0 && c.MemoryMax < mem.Physical)
        {
            mem = mem with { Physical = c.MemoryMax, Used = c.MemoryUsed };
        }

        if (c.SwapMax > 0 && c.SwapMax < mem.Swap)
        {
            mem = mem with { Swap = c.SwapMax, SwapUsed = c.SwapUsed };
        }

        return mem;
    }

    /// <summary>Parses <c>Name:   value kB</c> lines; used = total − available, swap used = swap total − swap free.</summary>
    public static MemInfo Parse(IEnumerable<string> lines)
    {
        var values = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var rest = line[(colon + 1)..].Trim();
            var parts = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0 || !ulong.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var v))
            {
                continue;
            }

            values[line[..colon]] = parts.Length > 1 && parts[1] == "kB" ? v * 1024 : v;
        }

        var total = values.GetValueOrDefault("MemTotal");
        var available = values.GetValueOrDefault("MemAvailable", values.GetValueOrDefault("MemFree"));
        var swap = values.GetValueOrDefault("SwapTotal");
        var swapFree = values.GetValueOrDefault("SwapFree");
        return new MemInfo(total, total - Math.Min(total, available), swap, swap - Math.Min(swap, swapFree));
    }
}
