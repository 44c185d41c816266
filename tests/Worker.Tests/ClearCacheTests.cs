using Kiln.Worker.Rpc;
using Kiln.Worker.Sealing;

namespace Kiln.Worker.Tests;

public sealed class ClearCacheTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-cache-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("p_aux", true)]
    [InlineData("t_aux", true)]
    [InlineData("sc-02-data-tree-r-last.dat", true)]
    [InlineData("sc-02-data-tree-r-last-7.dat", true)]
    [InlineData("sc-02-data-tree-c-0.dat", false)]
    [InlineData("sc-02-data-tree-c.dat", false)]
    [InlineData("sc-02-data-tree-d.dat", false)]
    [InlineData("sc-02-data-layer-1.dat", false)]
    [InlineData("sc-02-data-layer-11.dat", false)]
    [InlineData("syn-porep-vanilla-proofs.dat", false)]
    public void Keeps_only_aux_files_and_tree_r_last(string name, bool kept) => Assert.Equal(kept, ClearCache.Keeps(name));

    [Fact]
    public void A_sealed_cache_keeps_aux_and_tree_r_last_and_a_pc1_cache_ends_empty()
    {
        string[] keep = ["p_aux", "t_aux", "sc-02-data-tree-r-last-0.dat", "sc-02-data-tree-r-last-1.dat"];
        string[] drop = ["sc-02-data-layer-1.dat", "sc-02-data-layer-2.dat", "sc-02-data-tree-d.dat", "sc-02-data-tree-c-0.dat"];
        foreach (var name in keep.Concat(drop))
        {
            File.WriteAllText(Path.Combine(_dir, name), "x");
        }

        Assert.Equal(drop.Order(StringComparer.Ordinal), ClearCache.Run(_dir));
        Assert.Equal(keep.Order(StringComparer.Ordinal), Directory.EnumerateFiles(_dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        foreach (var name in keep)
        {
            File.Delete(Path.Combine(_dir, name));
        }

        File.WriteAllText(Path.Combine(_dir, "sc-02-data-layer-1.dat"), "x");
        File.WriteAllText(Path.Combine(_dir, "sc-02-data-tree-d.dat"), "x");
        ClearCache.Run(_dir);
        Assert.True(Directory.Exists(_dir));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_dir));
    }

    [Fact]
    public void A_missing_cache_directory_is_an_error() =>
        Assert.Throws<DirectoryNotFoundException>(() => ClearCache.Run(Path.Combine(_dir, "nope")));

    [Fact]
    public void Meminfo_figures_are_bytes_with_used_from_available()
    {
        var mem = MemInfo.Parse(["MemTotal:       16000 kB", "MemFree:  1000 kB", "MemAvailable:    4000 kB", "SwapTotal: 2000 kB", "SwapFree: 500 kB", "Bogus"]);
        Assert.Equal(new MemInfo(16000 * 1024UL, 12000 * 1024UL, 2000 * 1024UL, 1500 * 1024UL), mem);
    }
}
