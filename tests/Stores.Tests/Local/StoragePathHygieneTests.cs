using System.Net;
using Kiln.Api.Types;
using Kiln.Stores.Index;
using Kiln.Stores.Local;
using Kiln.Stores.Tests.Support;

namespace Kiln.Stores.Tests.Local;

/// <summary>
/// Regression: a stray file in a storage path's type directory stopped the miner from starting, and symlinks
/// inside storage paths were followed, served and sent as tar members; files and configs were published by renames
/// nobody flushed.
/// </summary>
public sealed class StoragePathHygieneTests : IAsyncLifetime
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly TempDir _dir = new();
    private readonly MemSectorIndex _index = new();
    private StoreHost _host = null!;
    private LocalStorageMeta _meta = null!;

    private string Root => _dir.Sub("store");

    public async Task InitializeAsync()
    {
        _host = await StoreHost.StartAsync("worker.test", _index);
        await LocalStorageMeta.InitializeAsync(Root, 10, canSeal: true, canStore: true, 0, null, null, Ct);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _dir.Dispose();
    }

    private async Task<IReadOnlyList<Decl>> DeclsAsync() =>
        (await _index.StorageListAsync(Ct)).TryGetValue(_meta.ID, out var decls) ? decls : [];

    [Fact]
    public async Task A_stray_file_is_skipped_and_the_sectors_beside_it_are_declared()
    {
        Directory.CreateDirectory(Path.Combine(Root, "sealed"));
        await File.WriteAllBytesAsync(Path.Combine(Root, "sealed", "s-t01000-3"), new byte[2048], Ct);
        await File.WriteAllTextAsync(Path.Combine(Root, "sealed", "s-t01000-3.bak"), "operator's copy", Ct);
        Directory.CreateDirectory(Path.Combine(Root, "cache", "lost+found"));

        _meta = await _host.Store.OpenPathAsync(Root, Ct);

        var decl = Assert.Single(await DeclsAsync());
        Assert.Equal((1000UL, 3UL, SectorFileType.Sealed), (decl.Miner, decl.Number, decl.SectorFileType));
        // Left where it was: skipped is not deleted.
        Assert.Equal("operator's copy", await File.ReadAllTextAsync(Path.Combine(Root, "sealed", "s-t01000-3.bak"), Ct));
        // And a redeclare (miner restart) goes through the same way.
        await _host.Store.RedeclareAsync(null, dropMissing: false, Ct);
        Assert.Single(await DeclsAsync());
    }

    [Fact]
    public async Task A_symlinked_sector_file_is_not_declared_and_not_served()
    {
        var outside = _dir.Sub("outside");
        Directory.CreateDirectory(outside);
        var secret = Path.Combine(outside, "secret");
        await File.WriteAllTextAsync(secret, "not a sector", Ct);
        Directory.CreateDirectory(Path.Combine(Root, "sealed"));
        File.CreateSymbolicLink(Path.Combine(Root, "sealed", "s-t01000-4"), secret);

        _meta = await _host.Store.OpenPathAsync(Root, Ct);
        Assert.Empty(await DeclsAsync());

        // Even declared by someone else, the link is not followed.
        await _index.StorageDeclareSectorAsync(_meta.ID, new SectorId(1000, 4), SectorFileType.Sealed, true, Ct);
        var r = await _host.Client.GetAsync("/remote/sealed/s-t01000-4");
        Assert.Equal(HttpStatusCode.InternalServerError, r.StatusCode);
        Assert.DoesNotContain("not a sector", await r.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal("not a sector", await File.ReadAllTextAsync(secret, Ct));
    }

    [Fact]
    public async Task A_cache_directory_holding_a_symlink_is_not_tarred()
    {
        var outside = _dir.Sub("outside");
        Directory.CreateDirectory(outside);
        await File.WriteAllTextAsync(Path.Combine(outside, "t_aux"), "somebody else's file", Ct);
        var cache = Path.Combine(Root, "cache", "s-t01000-5");
        Directory.CreateDirectory(cache);
        await File.WriteAllTextAsync(Path.Combine(cache, "p_aux"), "paux", Ct);
        File.CreateSymbolicLink(Path.Combine(cache, "t_aux"), Path.Combine(outside, "t_aux"));
        _meta = await _host.Store.OpenPathAsync(Root, Ct);
        Assert.Equal(SectorFileType.Cache, Assert.Single(await DeclsAsync()).SectorFileType);

        var r = await _host.Client.GetAsync("/remote/cache/s-t01000-5");
        Assert.Equal(HttpStatusCode.InternalServerError, r.StatusCode);

        // Without the link the same directory is served.
        File.Delete(Path.Combine(cache, "t_aux"));
        Assert.Equal(HttpStatusCode.OK, (await _host.Client.GetAsync("/remote/cache/s-t01000-5")).StatusCode);
    }

    [Fact]
    public void A_published_tree_is_complete_under_its_final_name_and_nothing_is_left_behind()
    {
        var temp = _dir.Sub("p", "cache", "fetching", "s-t01000-6");
        Directory.CreateDirectory(temp);
        File.WriteAllBytes(Path.Combine(temp, "p_aux"), [1, 2, 3]);
        Directory.CreateDirectory(Path.Combine(temp, "sub"));
        File.WriteAllBytes(Path.Combine(temp, "sub", "x"), new byte[4096]);
        var dest = _dir.Sub("p", "cache", "s-t01000-6");

        Durability.PublishRename(temp, dest);

        Assert.False(Directory.Exists(temp));
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(Path.Combine(dest, "p_aux")));
        Assert.Equal(4096, new FileInfo(Path.Combine(dest, "sub", "x")).Length);
    }

    [Fact]
    public void Flushing_a_missing_directory_is_an_error_naming_it()
    {
        var missing = _dir.Sub("nowhere");
        var e = Assert.Throws<IOException>(() => Durability.FlushDirectory(missing));
        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Storage_config_is_replaced_whole_with_no_temporary_left()
    {
        var file = _dir.Sub("repo", StorageConfig.FileName);
        Directory.CreateDirectory(_dir.Sub("repo"));
        await new StorageConfig([new LocalPathConfig("/a")]).SaveAsync(file, Ct);
        await new StorageConfig([new LocalPathConfig("/a"), new LocalPathConfig("/b")]).SaveAsync(file, Ct);

        Assert.Equal(["/a", "/b"], (await StorageConfig.LoadAsync(file, Ct)).StoragePaths.Select(p => p.Path));
        Assert.False(File.Exists(file + ".tmp"));
    }

    [Fact]
    public void A_move_refuses_a_symlink_and_leaves_the_source_whole()
    {
        var outside = _dir.Sub("outside");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "t_aux"), "linked");
        var from = _dir.Sub("a", "cache", "s-t01000-7");
        Directory.CreateDirectory(from);
        File.WriteAllText(Path.Combine(from, "p_aux"), "paux");
        File.CreateSymbolicLink(Path.Combine(from, "t_aux"), Path.Combine(outside, "t_aux"));
        var to = _dir.Sub("b", "cache", "s-t01000-7");

        var e = Assert.Throws<StoresException>(() => SectorFileMove.Move(from, to));
        Assert.Contains("symlink", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(to));
        Assert.Equal("paux", File.ReadAllText(Path.Combine(from, "p_aux")));
        Assert.Equal("linked", File.ReadAllText(Path.Combine(outside, "t_aux")));
    }
}
