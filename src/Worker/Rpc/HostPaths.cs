namespace Kiln.Worker.Rpc;

/// <summary>
/// Where the worker reads the host's figures: the <c>/proc</c> and <c>/sys</c> roots. Mount points read from
/// <c>mountinfo</c> under <c>/sys</c> are taken under <see cref="Sys"/>, so a test can lay out a whole host in a directory.
/// </summary>
/// <param name="Proc">The proc file system root (<c>/proc</c>).</param>
/// <param name="Sys">The sys file system root (<c>/sys</c>).</param>
public sealed record HostPaths(string Proc, string Sys)
{
    /// <summary>The real host.</summary>
    public static HostPaths System { get; } = new("/proc", "/sys");

    /// <summary>A path under <see cref="Proc"/>, e.g. <c>ProcFile("self/cgroup")</c>.</summary>
    public string ProcFile(string relative) => Path.Combine(Proc, relative);

    /// <summary>A mount point as <c>mountinfo</c> names it, moved under <see cref="Sys"/> when it is under <c>/sys</c>.</summary>
    public string MountPoint(string mountPoint)
    {
        ArgumentNullException.ThrowIfNull(mountPoint);
        return mountPoint == "/sys" ? Sys
            : mountPoint.StartsWith("/sys/", StringComparison.Ordinal) ? Path.Combine(Sys, mountPoint["/sys/".Length..])
            : mountPoint;
    }
}
