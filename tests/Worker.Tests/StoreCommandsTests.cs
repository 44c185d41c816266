using Kiln.Proofs.Memory;
using Kiln.Worker.Cli;

namespace Kiln.Worker.Tests;

/// <summary><c>kiln-worker store hugepage-file-init</c> on a temporary directory (hugetlbfs not needed).</summary>
public sealed class StoreCommandsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-store-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Task<int> InvokeAsync(params string[] args) =>
        WorkerCli.Build().Parse(args).InvokeAsync(new System.CommandLine.InvocationConfiguration { EnableDefaultExceptionHandler = false });

    [Fact]
    public async Task Files_are_created_under_numa_N_named_by_their_size()
    {
        Assert.Equal(0, await InvokeAsync("store", "hugepage-file-init", "--node", "0", "--num", "2", "--size", "64KiB", "--path", _dir));
        var dir = Path.Combine(_dir, "numa_0");
        Assert.Equal(["64.0_kiB_0", "64.0_kiB_1"], Directory.GetFiles(dir).Select(Path.GetFileName).Order());
        Assert.All(Directory.GetFiles(dir), f => Assert.Equal(64 * 1024, new FileInfo(f).Length));

        // What a worker given HUGEPAGE_FILES_PATH finds.
        var files = HugepageFiles.Scan(new HugepageFileOptions { Path = _dir }.Pattern!);
        Assert.Equal(2, files.Count);
        Assert.All(files, f => Assert.Equal(0, f.Node));
    }

    [Fact]
    public async Task The_pattern_wins_and_short_flags_work()
    {
        var pattern = Path.Combine(_dir, "pc1_$NUMA_NODE_INDEX", "huge");
        Assert.Equal(0, await InvokeAsync("store", "hugepage-file-init", "-n", "3", "-c", "1", "-s", "2KiB", "--path", "/nonexistent", "--path_pattern", pattern));
        Assert.True(File.Exists(Path.Combine(_dir, "pc1_3", "huge", "2.0_kiB_0")));
    }

    [Theory]
    [InlineData("--size", "1KiB", "--num", "1")]
    [InlineData("--size", "1KiB", "--num", "0", "--path", "{dir}")]
    [InlineData("--size", "1KiB", "--num", "1", "--path_pattern", "{dir}/numa")]
    public async Task Bad_arguments_are_refused(params string[] args)
    {
        var full = new[] { "store", "hugepage-file-init", "--node", "0" }.Concat(args.Select(a => a.Replace("{dir}", _dir, StringComparison.Ordinal))).ToArray();
        await Assert.ThrowsAsync<ArgumentException>(() => InvokeAsync(full));
    }
}
