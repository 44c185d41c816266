using System.Globalization;

namespace Kiln.Proofs.Memory;

/// <summary>
/// NUMA nodes and their CPUs as Linux lists them under <c>&lt;sys&gt;/devices/system/node/node&lt;N&gt;/cpulist</c>; the
/// <c>/sys</c> root is a parameter so tests can use made-up trees. A machine without that directory has no known
/// nodes (<see cref="NodeOfCpu"/> answers null).
/// </summary>
public sealed class NumaTopology
{
    /// <summary>The real sysfs root.</summary>
    public const string DefaultSysRoot = "/sys";

    private readonly Dictionary<int, int> _nodeOfCpu = [];

    private NumaTopology(SortedDictionary<int, IReadOnlyList<int>> nodes)
    {
        Nodes = nodes;
        foreach (var (node, cpus) in nodes)
        {
            foreach (var cpu in cpus)
            {
                _nodeOfCpu[cpu] = node;
            }
        }
    }

    /// <summary>Node index → its CPUs, in node order.</summary>
    public IReadOnlyDictionary<int, IReadOnlyList<int>> Nodes { get; }

    /// <summary>Reads the node directories under <paramref name="sysRoot"/>.</summary>
    public static NumaTopology Read(string sysRoot = DefaultSysRoot)
    {
        var nodes = new SortedDictionary<int, IReadOnlyList<int>>();
        var dir = Path.Combine(sysRoot, "devices", "system", "node");
        if (Directory.Exists(dir))
        {
            foreach (var nodeDir in Directory.EnumerateDirectories(dir, "node*"))
            {
                var name = Path.GetFileName(nodeDir);
                if (!int.TryParse(name.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out var node))
                {
                    continue;
                }

                var cpulist = Path.Combine(nodeDir, "cpulist");
                nodes[node] = File.Exists(cpulist) ? ParseCpuList(File.ReadAllText(cpulist)) : [];
            }
        }

        return new NumaTopology(nodes);
    }

    /// <summary>The node CPU <paramref name="cpu"/> belongs to, or null.</summary>
    public int? NodeOfCpu(int cpu) => _nodeOfCpu.TryGetValue(cpu, out var node) ? node : null;

    /// <summary>The CPU the calling thread runs on (<c>sched_getcpu</c>), or null where unknown.</summary>
    public static int? CurrentCpu()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            return Libc.sched_getcpu() is var cpu and >= 0 ? cpu : null;
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// Pins the calling thread to the CPUs of <paramref name="node"/> (<c>sched_setaffinity</c>), so that memory it
    /// faults in or allocates comes from that node. False when the node has no known CPUs or the call fails.
    /// </summary>
    public unsafe bool BindCurrentThread(int node)
    {
        if (!OperatingSystem.IsLinux() || !Nodes.TryGetValue(node, out var cpus) || cpus.Count == 0)
        {
            return false;
        }

        var words = (cpus.Max() / 64) + 1;
        var mask = new ulong[words];
        foreach (var cpu in cpus)
        {
            mask[cpu / 64] |= 1UL << (cpu % 64);
        }

        fixed (ulong* bits = mask)
        {
            return Libc.sched_setaffinity(0, (nuint)(words * sizeof(ulong)), bits) == 0;
        }
    }

    /// <summary>
    /// Parses a kernel CPU list such as <c>0-3,8-11</c> or <c>0,2,4</c> (empty for a node without CPUs).
    /// </summary>
    /// <exception cref="FormatException">The text is not a CPU list.</exception>
    public static IReadOnlyList<int> ParseCpuList(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var cpus = new List<int>();
        foreach (var part in text.Trim().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var dash = part.IndexOf('-', StringComparison.Ordinal);
            var first = Cpu(dash < 0 ? part : part[..dash], text);
            var last = dash < 0 ? first : Cpu(part[(dash + 1)..], text);
            if (last < first)
            {
                throw new FormatException($"invalid CPU list '{text.Trim()}'");
            }

            for (var cpu = first; cpu <= last; cpu++)
            {
                cpus.Add(cpu);
            }
        }

        return cpus;
    }

    private static int Cpu(string text, string list) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var cpu) ? cpu : throw new FormatException($"invalid CPU list '{list.Trim()}'");
}
