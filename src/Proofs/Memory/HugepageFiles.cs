using System.Globalization;
using System.Text.RegularExpressions;
using Kiln.Proofs.Interop;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Win32.SafeHandles;

namespace Kiln.Proofs.Memory;

/// <summary>
/// NUMA-local memory from pre-created hugepage files (damocles-worker <c>scan_memory_files</c> feeding
/// <c>init_numa_mem_pool</c>, the <c>NumaMemPool</c> of the ipfs-force-community rust-fil-proofs fork): the files found under the configured pattern, grouped by node and size, are handed
/// out mapped shared read/write (locked in memory where allowed), one user per file: in this process by a flag, across
/// processes by an exclusive <c>flock</c> held while mapped. A request takes a free file of the node the calling
/// thread runs on (any node when that is unknown); when none fits it gets anonymous memory, said once in the log.
/// </summary>
public sealed partial class HugepageFiles
{
    /// <summary>bytesize 1.x takes the unit exponent from <c>ln(bytes) / ln(1000)</c> even for 1024-based units (a quirk kept for identical names).</summary>
    private const double ByteSizeLnBase = 6.907755279;

    private const string ByteSizePrefixes = "kMGTPE";

    private readonly Lock _lock = new();
    private readonly HashSet<HugepageFile> _inUse = [];
    private readonly Func<int?> _currentCpu;
    private readonly ILogger _log;
    private int _fellBack;

    /// <summary>Files to hand out (usually from <see cref="Scan"/>), placed by <paramref name="topology"/>.</summary>
    /// <param name="files">The files.</param>
    /// <param name="topology">NUMA nodes and CPUs.</param>
    /// <param name="logger">Where the one fallback warning and the summary go.</param>
    /// <param name="currentCpu">The CPU of the calling thread; default <see cref="NumaTopology.CurrentCpu"/>.</param>
    public HugepageFiles(IEnumerable<HugepageFile> files, NumaTopology topology, ILogger? logger = null, Func<int?>? currentCpu = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(topology);
        Files = [.. files.OrderBy(f => f.Node).ThenByDescending(f => f.Size).ThenBy(f => f.Path, StringComparer.Ordinal)];
        Topology = topology;
        _currentCpu = currentCpu ?? NumaTopology.CurrentCpu;
        _log = logger ?? NullLogger.Instance;
        foreach (var group in Files.GroupBy(f => (f.Node, f.Size)))
        {
            LogLoaded(group.Key.Node, group.Count(), SizeName(group.Key.Size));
        }
    }

    /// <summary>Every known file, by node, then size (largest first), then path.</summary>
    public IReadOnlyList<HugepageFile> Files { get; }

    public NumaTopology Topology { get; }

    /// <summary>Files handed out and not yet returned.</summary>
    public int FilesInUse
    {
        get
        {
            lock (_lock)
            {
                return _inUse.Count;
            }
        }
    }

    /// <summary>Scans the pattern of <paramref name="options"/> and reads the NUMA nodes under its sysfs root.</summary>
    public static HugepageFiles Open(HugepageFileOptions options, ILogger? logger = null, Func<int?>? currentCpu = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var pattern = options.Pattern ?? throw new ProofsException(
            $"neither {HugepageFileOptions.PathVariable} nor {HugepageFileOptions.PathPatternVariable} is set");
        return new HugepageFiles(Scan(pattern), NumaTopology.Read(options.SysRoot), logger, currentCpu);
    }

    /// <summary>
    /// The files directly inside every directory matching <paramref name="pattern"/>, where <c>$NUMA_NODE_INDEX</c>
    /// stands for the node number (damocles: glob the pattern with <c>*</c>, node = the digits at the placeholder).
    /// Empty files are left out.
    /// </summary>
    public static IReadOnlyList<HugepageFile> Scan(string pattern)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        if (!pattern.Contains(HugepageFileOptions.NodePlaceholder, StringComparison.Ordinal))
        {
            throw new ProofsException($"hugepage file pattern {pattern} has no {HugepageFileOptions.NodePlaceholder} placeholder");
        }

        var dirs = new List<(string Dir, int? Node)> { (Path.IsPathRooted(pattern) ? Path.GetPathRoot(pattern)! : ".", null) };
        foreach (var part in pattern.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var next = new List<(string, int?)>();
            if (!part.Contains(HugepageFileOptions.NodePlaceholder, StringComparison.Ordinal))
            {
                next.AddRange(dirs.Select(d => (Path.Combine(d.Dir, part), d.Node)).Where(d => Directory.Exists(d.Item1)));
            }
            else
            {
                var match = NodeComponent(part);
                foreach (var (dir, node) in dirs)
                {
                    foreach (var sub in Directory.Exists(dir) ? Directory.EnumerateDirectories(dir) : [])
                    {
                        if (match.Match(Path.GetFileName(sub)) is { Success: true } m
                            && int.TryParse(m.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var found)
                            && (node is null || node == found))
                        {
                            next.Add((sub, found));
                        }
                    }
                }
            }

            dirs = next;
        }

        var files = new List<HugepageFile>();
        foreach (var (dir, node) in dirs)
        {
            foreach (var file in new DirectoryInfo(dir).EnumerateFiles())
            {
                if (file.Length > 0)
                {
                    files.Add(new HugepageFile(file.FullName, node!.Value, (ulong)file.Length));
                }
            }
        }

        return files;
    }

    /// <summary>
    /// The size the way the damocles file tool names files: Rust bytesize 1.x <c>to_string_as(true)</c>
    /// ("32.0 GiB", "512.0 MiB", "2.0 kiB", "215 B").
    /// </summary>
    public static string SizeName(ulong bytes)
    {
        if (bytes < 1024)
        {
            return bytes.ToString(CultureInfo.InvariantCulture) + " B";
        }

        var exp = Math.Max(1, (int)(Math.Log(bytes) / ByteSizeLnBase));
        var value = bytes / (double)(1UL << (10 * exp));
        return OneDecimal(value) + " " + ByteSizePrefixes[exp - 1] + "iB";
    }

    /// <summary>Name of the <paramref name="index"/>th file of <paramref name="size"/> bytes: <c>32.0_GiB_0</c>.</summary>
    public static string FileName(ulong size, int index) =>
        SizeName(size).Replace(' ', '_') + "_" + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// <c>hugepage-file-init</c>: creates (or re-sizes) <paramref name="count"/> files of <paramref name="size"/> bytes in
    /// <paramref name="directory"/>, each <c>fallocate</c>d so that a hugetlbfs mount reserves its pages now. Bind the
    /// thread to the NUMA node first (<see cref="NumaTopology.BindCurrentThread"/>) so the pages come from it.
    /// </summary>
    /// <returns>The paths, in order.</returns>
    /// <exception cref="IOException">A file is in use or cannot be allocated (e.g. too few hugepages).</exception>
    public static IReadOnlyList<string> CreateFiles(string directory, int count, ulong size)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfZero(size);
        Directory.CreateDirectory(directory);
        var paths = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            var path = Path.Combine(directory, FileName(size, i));
            using var handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            if (!TryLock(handle))
            {
                throw new IOException($"{path} is in use by another process");
            }

            if (RandomAccess.GetLength(handle) != (long)size)
            {
                RandomAccess.SetLength(handle, 0);
            }

            if (Libc.fallocate(handle, 0, 0, checked((long)size)) != 0)
            {
                throw new IOException($"cannot allocate {SizeName(size)} for {path}: {Libc.LastError()}");
            }

            paths.Add(path);
        }

        return paths;
    }

    /// <summary>NUMA node of the calling thread, or null.</summary>
    public int? CurrentNode() => _currentCpu() is { } cpu ? Topology.NodeOfCpu(cpu) : null;

    /// <summary>Whether <paramref name="file"/> is handed out by this instance.</summary>
    public bool IsInUse(HugepageFile file)
    {
        lock (_lock)
        {
            return _inUse.Contains(file);
        }
    }

    /// <summary>
    /// A free file of exactly <paramref name="size"/> bytes on the calling thread's node (any node when unknown),
    /// mapped; null when none is free there. Disposing the buffer unmaps and frees the file.
    /// </summary>
    public NativeBuffer? TryAcquire(ulong size) => TryMapFirst(Candidates(f => f.Size == size));

    /// <summary>A layer buffer: a hugepage file of exactly <paramref name="size"/> bytes when one is free, else anonymous memory.</summary>
    public NativeBuffer Allocate(ulong size) => TryAcquire(size) ?? Anonymous(size);

    /// <summary>
    /// Buffers adding up to <paramref name="bytes"/> (the label pool): free files of this node whose size is a multiple
    /// of <paramref name="granularity"/> and not more than what is still missing, largest first, then one anonymous
    /// buffer for the rest.
    /// </summary>
    public IReadOnlyList<NativeBuffer> AllocateRegions(ulong bytes, ulong granularity)
    {
        ArgumentOutOfRangeException.ThrowIfZero(bytes);
        ArgumentOutOfRangeException.ThrowIfZero(granularity);
        var regions = new List<NativeBuffer>();
        var missing = bytes;
        foreach (var file in Candidates(f => f.Size % granularity == 0))
        {
            if (file.Size <= missing && TryMap(file) is { } buffer)
            {
                regions.Add(buffer);
                missing -= file.Size;
            }
        }

        if (missing > 0)
        {
            regions.Add(Anonymous(missing));
        }

        return regions;
    }

    private static Regex NodeComponent(string part)
    {
        var at = part.IndexOf(HugepageFileOptions.NodePlaceholder, StringComparison.Ordinal);
        var rest = part[(at + HugepageFileOptions.NodePlaceholder.Length)..].Replace(HugepageFileOptions.NodePlaceholder, "\u0001", StringComparison.Ordinal);
        var suffix = Regex.Escape(rest).Replace("\u0001", @"\1", StringComparison.Ordinal);
        return new Regex("^" + Regex.Escape(part[..at]) + @"(\d+)" + suffix + "$", RegexOptions.CultureInvariant);
    }

    /// <summary>Rust <c>{:.1}</c>: the exact binary value rounded to one decimal, ties to even.</summary>
    private static string OneDecimal(double value)
    {
        var twenty = value * 20;
        if (twenty == Math.Floor(twenty) && (long)twenty % 2 == 1)
        {
            var tenths = (long)twenty / 2;
            value = (tenths + (tenths % 2)) / 10.0;
        }

        return value.ToString("F1", CultureInfo.InvariantCulture);
    }

    private static bool TryLock(SafeFileHandle handle) => Libc.flock(handle, Libc.LockExclusive | Libc.LockNonBlocking) == 0;

    /// <summary>Files on the thread's node (every node when unknown) that pass <paramref name="fits"/>, in <see cref="Files"/> order.</summary>
    private IEnumerable<HugepageFile> Candidates(Func<HugepageFile, bool> fits)
    {
        var node = CurrentNode();
        return Files.Where(f => (node is null || f.Node == node) && fits(f));
    }

    private NativeBuffer? TryMapFirst(IEnumerable<HugepageFile> candidates)
    {
        foreach (var file in candidates)
        {
            if (TryMap(file) is { } buffer)
            {
                return buffer;
            }
        }

        return null;
    }

    /// <summary>Claims and maps <paramref name="file"/>; null when it is in use here or in another process, or cannot be mapped.</summary>
    private unsafe NativeBuffer? TryMap(HugepageFile file)
    {
        lock (_lock)
        {
            if (!_inUse.Add(file))
            {
                return null;
            }
        }

        SafeFileHandle? handle = null;
        try
        {
            handle = File.OpenHandle(file.Path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            if (!TryLock(handle))
            {
                throw new IOException("locked by another process");
            }

            var length = (ulong)RandomAccess.GetLength(handle);
            if (length < file.Size)
            {
                throw new IOException($"it shrank to {length} bytes");
            }

            var fd = (int)handle.DangerousGetHandle();
            var pointer = Libc.mmap(null, (nuint)file.Size, Libc.ProtRead | Libc.ProtWrite, Libc.MapShared | Libc.MapLocked, fd, 0);
            if ((nint)pointer == Libc.MapFailed)
            {
                // MAP_LOCKED needs RLIMIT_MEMLOCK; hugetlbfs pages are never swapped anyway.
                pointer = Libc.mmap(null, (nuint)file.Size, Libc.ProtRead | Libc.ProtWrite, Libc.MapShared, fd, 0);
            }

            if ((nint)pointer == Libc.MapFailed)
            {
                throw new IOException(Libc.LastError());
            }

            LogMapped(file.Path, file.Node);
            return NativeBuffer.Wrap((byte*)pointer, file.Size, new Mapping(this, file, handle, pointer));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            handle?.Dispose();
            Release(file);
            LogSkipped(file.Path, e.Message);
            return null;
        }
    }

    private NativeBuffer Anonymous(ulong size)
    {
        if (Interlocked.Exchange(ref _fellBack, 1) == 0)
        {
            LogFallback(SizeName(size), CurrentNode()?.ToString(CultureInfo.InvariantCulture) ?? "unknown", Files.Count);
        }

        return new NativeBuffer(size);
    }

    private void Release(HugepageFile file)
    {
        lock (_lock)
        {
            _inUse.Remove(file);
        }
    }

    [LoggerMessage(EventId = 4000, EventName = "HugepageFilesLoaded", Level = LogLevel.Information, Message = "Hugepage memory files on NUMA node {Node}: {Count} of {Size}")]
    private partial void LogLoaded(int node, int count, string size);

    [LoggerMessage(EventId = 4001, EventName = "HugepageFallback", Level = LogLevel.Warning, Message = "No free hugepage memory file fits {Size} on NUMA node {Node} ({Files} files known); using anonymous memory (said once)")]
    private partial void LogFallback(string size, string node, int files);

    [LoggerMessage(EventId = 4002, EventName = "HugepageFileSkipped", Level = LogLevel.Debug, Message = "Skipping hugepage memory file {Path}: {Reason}")]
    private partial void LogSkipped(string path, string reason);

    [LoggerMessage(EventId = 4003, EventName = "HugepageFileMapped", Level = LogLevel.Debug, Message = "Mapped hugepage memory file {Path} (NUMA node {Node})")]
    private partial void LogMapped(string path, int node);

    /// <summary>A mapped file: unmapping closes it (dropping the flock) and makes it free again.</summary>
    private sealed unsafe class Mapping(HugepageFiles owner, HugepageFile file, SafeFileHandle handle, void* pointer) : IDisposable
    {
        private void* _pointer = pointer;

        public void Dispose()
        {
            if (_pointer == null)
            {
                return;
            }

            _ = Libc.munmap(_pointer, (nuint)file.Size);
            _pointer = null;
            handle.Dispose();
            owner.Release(file);
        }
    }
}
