using Kiln.Proofs.Memory;
using Kiln.Proofs.Sdr.Pool;
using Microsoft.Extensions.Logging;

namespace Kiln.Proofs.Tests.Memory;

/// <summary>Hugepage memory files on a temporary directory (no hugetlbfs needed) with made-up <c>/sys</c> trees.</summary>
public sealed unsafe class HugepageFilesTests : IDisposable
{
    private const ulong KiB = 1UL << 10;
    private const ulong MiB = 1UL << 20;
    private const ulong GiB = 1UL << 30;

    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-huge-").FullName;
    private readonly ListLogger _log = new();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(32 * GiB, "32.0 GiB")]
    [InlineData(64 * GiB, "64.0 GiB")]
    [InlineData(512 * MiB, "512.0 MiB")]
    [InlineData(8 * MiB, "8.0 MiB")]
    [InlineData(2 * KiB, "2.0 kiB")]
    // bytesize 1.2's own vectors for to_string_as(true)
    [InlineData(215UL, "215 B")]
    [InlineData(1024UL, "1.0 kiB")]
    [InlineData(301_000UL, "293.9 kiB")]
    [InlineData(1907 * MiB, "1.9 GiB")]
    [InlineData(419_000_000UL, "399.6 MiB")]
    [InlineData(518_000_000_000UL, "482.4 GiB")]
    [InlineData(815_000_000_000_000UL, "741.2 TiB")]
    [InlineData(609_000_000_000_000_000UL, "540.9 PiB")]
    // ties round to even, as Rust's {:.1}
    [InlineData(1280 * MiB, "1.2 GiB")]
    [InlineData(1792 * MiB, "1.8 GiB")]
    public void Sizes_are_named_like_rust_bytesize(ulong bytes, string name)
    {
        Assert.Equal(name, HugepageFiles.SizeName(bytes));
    }

    [Fact]
    public void File_names_replace_the_space_and_append_the_index()
    {
        Assert.Equal("32.0_GiB_0", HugepageFiles.FileName(32 * GiB, 0));
        Assert.Equal("512.0_MiB_3", HugepageFiles.FileName(512 * MiB, 3));
        Assert.Equal("2.0_kiB_1", HugepageFiles.FileName(2 * KiB, 1));
    }

    [Fact]
    public void Created_files_are_allocated_to_the_size_and_found_by_node()
    {
        var options = new HugepageFileOptions { Path = Path.Combine(_dir, "pc1") };
        var made = HugepageFiles.CreateFiles(options.DirectoryOf(1), 2, 64 * KiB);
        Assert.Equal([Path.Combine(_dir, "pc1", "numa_1", "64.0_kiB_0"), Path.Combine(_dir, "pc1", "numa_1", "64.0_kiB_1")], made);
        Assert.All(made, p => Assert.Equal(64 * (long)KiB, new FileInfo(p).Length));
        HugepageFiles.CreateFiles(options.DirectoryOf(0), 1, 8 * KiB);
        Directory.CreateDirectory(Path.Combine(_dir, "pc1", "numa_x"));
        File.WriteAllBytes(Path.Combine(_dir, "pc1", "numa_x", "stray"), new byte[10]);
        File.WriteAllBytes(Path.Combine(_dir, "pc1", "numa_0", "empty"), []);

        var files = HugepageFiles.Scan(options.Pattern!);
        Assert.Equal(3, files.Count);
        Assert.Equal(2, files.Count(f => f.Node == 1 && f.Size == 64 * KiB));
        Assert.Single(files, f => f.Node == 0 && f.Size == 8 * KiB);

        // Re-running the tool keeps the files at their size.
        HugepageFiles.CreateFiles(options.DirectoryOf(1), 2, 64 * KiB);
        Assert.Equal(3, HugepageFiles.Scan(options.Pattern!).Count);
    }

    [Fact]
    public void The_pattern_wins_over_the_path_and_may_place_the_node_anywhere()
    {
        var env = new Dictionary<string, string>
        {
            ["HUGEPAGE_FILES_PATH"] = "/ignored",
            ["HUGEPAGE_FILES_PATH_PATTERN"] = Path.Combine(_dir, "node$NUMA_NODE_INDEX", "huge"),
        };
        var options = HugepageFileOptions.FromEnvironment(env.GetValueOrDefault);
        Assert.Equal(Path.Combine(_dir, "node$NUMA_NODE_INDEX", "huge"), options.Pattern);
        HugepageFiles.CreateFiles(options.DirectoryOf(0), 1, 4 * KiB);
        HugepageFiles.CreateFiles(options.DirectoryOf(12), 1, 4 * KiB);
        Assert.Equal([0, 12], HugepageFiles.Scan(options.Pattern!).Select(f => f.Node).Order());

        Assert.Equal("/data/numa_$NUMA_NODE_INDEX", HugepageFileOptions.FromEnvironment(n => n == "HUGEPAGE_FILES_PATH" ? "/data" : null).Pattern);
        Assert.False(HugepageFileOptions.FromEnvironment(_ => null).Enabled);
        var e = Assert.Throws<ProofsException>(() => HugepageFileOptions.FromEnvironment(n => n == "HUGEPAGE_FILES_PATH_PATTERN" ? "/data/numa" : null));
        Assert.Contains("$NUMA_NODE_INDEX", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_thread_gets_a_file_of_its_own_node_mapped_shared()
    {
        var files = TwoNodes(cpu: 3, size: 8 * KiB);
        using (var buffer = files.TryAcquire(8 * KiB))
        {
            Assert.NotNull(buffer);
            Assert.Equal(8 * KiB, buffer.Length);
            buffer.GetSpan().Fill(0x5A);
            Assert.Equal(1, files.FilesInUse);
            Assert.Single(files.Files, f => files.IsInUse(f) && f.Node == 1);
        }

        Assert.Equal(0, files.FilesInUse);
        Assert.All(File.ReadAllBytes(Path.Combine(_dir, "numa_1", "8.0_kiB_0")), b => Assert.Equal(0x5A, b));
        Assert.All(File.ReadAllBytes(Path.Combine(_dir, "numa_0", "8.0_kiB_0")), b => Assert.Equal(0, b));
    }

    [Fact]
    public void A_file_in_use_is_not_handed_out_again_here_or_by_another_instance()
    {
        var files = TwoNodes(cpu: 0, size: 8 * KiB);
        var other = HugepageFiles.Open(new HugepageFileOptions { Path = _dir, SysRoot = Path.Combine(_dir, "sys") }, null, () => 0);
        using var first = files.TryAcquire(8 * KiB);
        Assert.NotNull(first);
        Assert.Null(files.TryAcquire(8 * KiB));

        // A second instance (as another process would) meets the flock.
        Assert.Null(other.TryAcquire(8 * KiB));
        first!.Dispose();
        using var again = other.TryAcquire(8 * KiB);
        Assert.NotNull(again);
    }

    [Fact]
    public void Without_a_fitting_file_memory_is_anonymous_and_said_once()
    {
        var files = TwoNodes(cpu: 1, size: 8 * KiB);
        using var taken = files.Allocate(8 * KiB);
        using var fallback = files.Allocate(8 * KiB);
        using var otherSize = files.Allocate(16 * KiB);
        Assert.Equal(1, files.FilesInUse);
        Assert.Equal(16 * KiB, otherSize.Length);
        var warning = Assert.Single(_log.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("anonymous memory", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_node_takes_files_of_any_node()
    {
        var files = TwoNodes(cpu: null, size: 8 * KiB);
        Assert.Null(files.CurrentNode());
        using var a = files.TryAcquire(8 * KiB);
        using var b = files.TryAcquire(8 * KiB);
        Assert.NotNull(a);
        Assert.NotNull(b);
        Assert.Null(files.TryAcquire(8 * KiB));
    }

    [Fact]
    public void The_label_pool_takes_its_blocks_from_sector_sized_files()
    {
        var files = TwoNodes(cpu: 2, size: 2 * KiB, perNode: 3);
        var layout = LabelPoolLayout.Create(2 * KiB, 1, 128, null);
        using (var pool = LabelPool.Create(layout, files))
        {
            Assert.Equal(2, files.FilesInUse);
            Assert.All(files.Files.Where(files.IsInUse), f => Assert.Equal(1, f.Node));
            Assert.DoesNotContain(_log.Entries, e => e.Level == LogLevel.Warning);
        }

        Assert.Equal(0, files.FilesInUse);

        // Three jobs' worth does not fit the node's three files: the rest is anonymous.
        using var bigger = LabelPool.Create(LabelPoolLayout.Create(2 * KiB, 3, 128, null), files);
        Assert.Equal(3, files.FilesInUse);
        Assert.Single(_log.Entries, e => e.Level == LogLevel.Warning);
    }

    [Fact]
    public void Labels_made_in_a_pool_of_hugepage_files_are_the_known_answers()
    {
        // Case C, the 2 KiB V1_1_0 setup of rust-fil-proofs create_label/multi.rs test_create_labels (64 nodes, 11 layers,
        // porep 7b×32, replica 09×32), every block in a file of node 1.
        var files = TwoNodes(cpu: 2, size: 2 * KiB, perNode: 2);
        using var parents = Kiln.Proofs.Sdr.ParentCache.CreateInMemory(new Kiln.Proofs.Sdr.StackedGraph(Enumerable.Repeat((byte)0x7b, 32).ToArray(), 64, ProofsApiVersion.V1_1_0));
        using var pool = LabelPool.Create(LabelPoolLayout.Create(2 * KiB, 1, 128, null), files);
        Assert.Equal(2, files.FilesInUse);
        var cache = Path.Combine(_dir, "cache");

        PooledSdrLabeler.Label(pool, parents, Enumerable.Repeat((byte)9, 32).ToArray(), 11, cache);

        Assert.Equal(
            Kiln.Proofs.Tests.Sdr.SdrLabelVectorTests.LayerDigests["C"],
            Enumerable.Range(1, 11).Select(l => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Kiln.Proofs.Sdr.CacheFiles.Layer(cache, l))))));
    }

    private HugepageFiles TwoNodes(int? cpu, ulong size, int perNode = 1)
    {
        var sys = NumaTopologyTests.FakeSys(Path.Combine(_dir, "sys"), "0-1", "2-3");
        var options = new HugepageFileOptions { Path = _dir, SysRoot = sys };
        HugepageFiles.CreateFiles(options.DirectoryOf(0), perNode, size);
        HugepageFiles.CreateFiles(options.DirectoryOf(1), perNode, size);
        return HugepageFiles.Open(options, _log, () => cpu);
    }

    private sealed class ListLogger : ILogger
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Entries)
            {
                Entries.Add((logLevel, formatter(state, exception)));
            }
        }
    }
}
