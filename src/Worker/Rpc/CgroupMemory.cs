using System.Globalization;

namespace Kiln.Worker.Rpc;

/// <summary>
/// The memory and swap limits of the cgroup this process runs in, and that cgroup's use, as Lotus
/// storage/sealer/cgroups_linux.go reads them (through containerd/cgroups): <see cref="ReadV1"/> from the v1 memory
/// controller, <see cref="ReadV2"/> from the unified hierarchy. Null where the hierarchy is not there (Lotus: an error,
/// which its memInfo ignores).
/// </summary>
/// <param name="MemoryMax">The memory limit in bytes (0: none read).</param>
/// <param name="MemoryUsed">Memory in use, page cache of files excluded.</param>
/// <param name="SwapMax">The swap limit in bytes (0: none read).</param>
/// <param name="SwapUsed">Swap in use.</param>
public readonly record struct CgroupMemory(ulong MemoryMax, ulong MemoryUsed, ulong SwapMax, ulong SwapUsed)
{
    /// <summary>
    /// cgroup v1 (Lotus cgroupV1Mem): <c>memory.limit_in_bytes</c>, <c>memory.usage_in_bytes</c> less <c>inactive_file</c>
    /// and <c>active_file</c> of <c>memory.stat</c>, and <c>memory.memsw.*</c> for swap, in this process's memory cgroup
    /// (the memory mount itself for process 1, as Lotus).
    /// </summary>
    public static CgroupMemory? ReadV1(HostPaths host, int pid)
    {
        ArgumentNullException.ThrowIfNull(host);
        var mount = Mounts(host).FirstOrDefault(m => m.FsType == "cgroup" && m.SuperOptions.Split(',').Contains("memory"));
        var group = Groups(host).FirstOrDefault(g => g.Controllers.Split(',').Contains("memory"));
        if (mount is null || group is null)
        {
            return null;
        }

        var dir = host.MountPoint(mount.MountPoint);
        if (pid != 1)
        {
            // The cgroup path is relative to the hierarchy's root; the mount may show a subtree of it (a container's).
            var relative = group.Path.StartsWith(mount.Root, StringComparison.Ordinal) ? group.Path[mount.Root.Length..] : group.Path;
            dir = Path.Combine(dir, relative.TrimStart('/'));
        }

        if (!Directory.Exists(dir) || ReadUInt(dir, "memory.limit_in_bytes") is not { } limit)
        {
            return null;
        }

        var stat = ReadStat(dir, "memory.stat");
        var usage = ReadUInt(dir, "memory.usage_in_bytes") ?? 0;
        var used = Minus(Minus(usage, stat.GetValueOrDefault("inactive_file")), stat.GetValueOrDefault("active_file"));
        return new CgroupMemory(limit, used, ReadUInt(dir, "memory.memsw.limit_in_bytes") ?? 0, ReadUInt(dir, "memory.memsw.usage_in_bytes") ?? 0);
    }

    /// <summary>
    /// cgroup v2 (Lotus cgroupV2Mem): from this process's cgroup up to (not including) the root, the smallest
    /// <c>memory.max</c> with that cgroup's <c>memory.current</c> less the <c>file</c> of <c>memory.stat</c>, and the
    /// smallest <c>memory.swap.max</c> with its <c>memory.swap.current</c>; <c>max</c> is no limit.
    /// </summary>
    public static CgroupMemory? ReadV2(HostPaths host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var mount = Mounts(host).FirstOrDefault(m => m.FsType == "cgroup2");
        var group = Groups(host).FirstOrDefault(g => g.Id == "0" && g.Controllers.Length == 0);
        if (mount is null || group is null)
        {
            return null;
        }

        var root = host.MountPoint(mount.MountPoint);
        ulong memoryMax = ulong.MaxValue, memoryUsed = 0, swapMax = ulong.MaxValue, swapUsed = 0;
        for (var path = group.Path; path != "/" && path.Length > 0; path = Parent(path))
        {
            var dir = Path.Combine(root, path.TrimStart('/'));
            if (!File.Exists(Path.Combine(dir, "cgroup.controllers")))
            {
                // containerd's Stat fails without the controllers file; Lotus then ignores cgroup v2 altogether.
                return null;
            }

            var max = ReadUInt(dir, "memory.max") ?? 0;
            if (max != 0 && max < memoryMax)
            {
                memoryMax = max;
                memoryUsed = Minus(ReadUInt(dir, "memory.current") ?? 0, ReadStat(dir, "memory.stat").GetValueOrDefault("file"));
            }

            var swap = ReadUInt(dir, "memory.swap.max") ?? 0;
            if (swap != 0 && swap < swapMax)
            {
                swapMax = swap;
                swapUsed = ReadUInt(dir, "memory.swap.current") ?? 0;
            }
        }

        return new CgroupMemory(memoryMax, memoryUsed, swapMax, swapUsed);
    }

    private static ulong Minus(ulong a, ulong b) => a > b ? a - b : 0;

    private static string Parent(string path)
    {
        var slash = path.TrimEnd('/').LastIndexOf('/');
        return slash <= 0 ? "/" : path[..slash];
    }

    /// <summary>A file holding one number, or <c>max</c> (no limit); null when missing or unreadable.</summary>
    private static ulong? ReadUInt(string dir, string name)
    {
        var path = Path.Combine(dir, name);
        if (!File.Exists(path))
        {
            return null;
        }

        var text = File.ReadAllText(path).Trim();
        return text == "max" ? ulong.MaxValue
            : ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v
            : null;
    }

    /// <summary>A <c>key value</c> per line stat file; empty when missing.</summary>
    private static Dictionary<string, ulong> ReadStat(string dir, string name)
    {
        var values = new Dictionary<string, ulong>(StringComparer.Ordinal);
        var path = Path.Combine(dir, name);
        if (!File.Exists(path))
        {
            return values;
        }

        foreach (var line in File.ReadLines(path))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && ulong.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var v))
            {
                values[parts[0]] = v;
            }
        }

        return values;
    }

    /// <summary><c>/proc/self/mountinfo</c>: root, mount point, and after the <c>-</c> separator fs type and super options.</summary>
    private static List<Mount> Mounts(HostPaths host)
    {
        var path = host.ProcFile("self/mountinfo");
        var mounts = new List<Mount>();
        if (!File.Exists(path))
        {
            return mounts;
        }

        foreach (var line in File.ReadLines(path))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var dash = Array.IndexOf(fields, "-");
            if (fields.Length < 5 || dash < 6 || fields.Length < dash + 4)
            {
                continue;
            }

            mounts.Add(new Mount(Unescape(fields[3]), Unescape(fields[4]), fields[dash + 1], fields[dash + 3]));
        }

        return mounts;
    }

    /// <summary><c>/proc/self/cgroup</c>: <c>id:controllers:path</c> per hierarchy (v2's is <c>0::path</c>).</summary>
    private static List<Group> Groups(HostPaths host)
    {
        var path = host.ProcFile("self/cgroup");
        var groups = new List<Group>();
        if (!File.Exists(path))
        {
            return groups;
        }

        foreach (var line in File.ReadLines(path))
        {
            var parts = line.Split(':', 3);
            if (parts.Length == 3)
            {
                groups.Add(new Group(parts[0], parts[1], parts[2]));
            }
        }

        return groups;
    }

    /// <summary>mountinfo escapes space, tab, newline and backslash as octal <c>\040</c> and the like.</summary>
    private static string Unescape(string field) =>
        field.Contains('\\', StringComparison.Ordinal)
            ? System.Text.RegularExpressions.Regex.Replace(field, @"\\([0-7]{3})", m => ((char)Convert.ToInt32(m.Groups[1].Value, 8)).ToString())
            : field;

    private sealed record Mount(string Root, string MountPoint, string FsType, string SuperOptions);

    private sealed record Group(string Id, string Controllers, string Path);
}
