using System.Globalization;

namespace Kiln.Worker.Rpc;

/// <summary>Memory figures from <c>/proc/meminfo</c>, in bytes (all zero where the file does not exist).</summary>
public readonly record struct MemInfo(ulong Physical, ulong Used, ulong Swap, ulong SwapUsed)
{
    public const string ProcMemInfo = "/proc/meminfo";

    public static MemInfo Read(string path = ProcMemInfo) =>
        File.Exists(path) ? Parse(File.ReadAllLines(path)) : default;

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
