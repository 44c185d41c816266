using System.Security.Cryptography;
using Kiln.Api.Types;
using Kiln.Proofs;
using Kiln.Stores.Fetch;
using Kiln.Stores.Index;
using Kiln.Stores.Tests.Support;

namespace Kiln.Stores.Tests.Fetch;

/// <summary>Two in-process hosts sharing one index: fetching between separate paths, and none on a shared path.</summary>
public sealed partial class RemoteFetcherTests : IAsyncLifetime
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly SectorRef S9 = new(new SectorId(1000, 9), RegisteredSealProof.StackedDrg2KiBV1_1);
    private readonly TempDir _dir = new();
    private readonly MemSectorIndex _index = new();
    private StoreHost _a = null!;
    private StoreHost _b = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _a = await StoreHost.StartAsync("a.test", _index);
        _b = await StoreHost.StartAsync("b.test", _index);
        _http = new HttpClient(new HostRouter(_a, _b));
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        _dir.Dispose();
    }

    private RemoteFetcher FetcherOn(StoreHost host, string? token = StoreHost.AdminToken) =>
        new(host.Store, _index, _http, new RemoteFetcherOptions { AuthToken = token, ParallelFetchLimit = 2 });

    /// <summary>Writes a sealed file and a cache directory for S9 under <paramref name="root"/> and declares them.</summary>
    private async Task<Dictionary<string, byte[]>> SealedSectorAsync(string root, StorageId id, bool primary = true)
    {
        var files = new Dictionary<string, byte[]>
        {
            ["sealed"] = RandomNumberGenerator.GetBytes(2048),
            ["p_aux"] = RandomNumberGenerator.GetBytes(64),
            ["t_aux"] = RandomNumberGenerator.GetBytes(1500),
            ["sc-02-data-tree-r-last.dat"] = RandomNumberGenerator.GetBytes(4096 + 17),
        };
        await File.WriteAllBytesAsync(Path.Combine(root, "sealed", "s-t01000-9"), files["sealed"]);
        var cache = Path.Combine(root, "cache", "s-t01000-9");
        Directory.CreateDirectory(cache);
        foreach (var name in new[] { "p_aux", "t_aux", "sc-02-data-tree-r-last.dat" })
        {
            await File.WriteAllBytesAsync(Path.Combine(cache, name), files[name]);
        }

        await _index.StorageDeclareSectorAsync(id, S9.ID, SectorFileType.Sealed | SectorFileType.Cache, primary, Ct);
        return files;
    }

    private static void AssertSector(string root, Dictionary<string, byte[]> files)
    {
        Assert.Equal(files["sealed"], File.ReadAllBytes(Path.Combine(root, "sealed", "s-t01000-9")));
        var cache = Path.Combine(root, "cache", "s-t01000-9");
        Assert.Equal(["p_aux", "sc-02-data-tree-r-last.dat", "t_aux"], Directory.GetFiles(cache).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var name in new[] { "p_aux", "t_aux", "sc-02-data-tree-r-last.dat" })
        {
            Assert.Equal(files[name], File.ReadAllBytes(Path.Combine(cache, name)));
        }
    }

    [Fact]
    public async Task Move_fetches_through_fetching_declares_primary_and_deletes_at_the_source()
    {
        var a = await _a.Store.AttachAsync(_dir.Sub("a"), init: true, canStore: true, ct: Ct);
        var b = await _b.Store.AttachAsync(_dir.Sub("b"), init: true, canSeal: true, ct: Ct);
        var files = await SealedSectorAsync(_dir.Sub("a"), a.ID);
        var fetcher = FetcherOn(_b);

        var got = await fetcher.AcquireSectorAsync(S9, SectorFileType.Sealed | SectorFileType.Cache, SectorFileType.None, PathType.Sealing, AcquireMode.Move, Ct);

        Assert.Equal(Path.Combine(_dir.Sub("b"), "sealed", "s-t01000-9"), got.Paths.Sealed);
        Assert.Equal(Path.Combine(_dir.Sub("b"), "cache", "s-t01000-9"), got.Paths.Cache);
        Assert.Equal(b.ID.Value, got.StorageIds.Cache);
        AssertSector(_dir.Sub("b"), files);
        Assert.Equal(2, fetcher.FetchRequests);

        // Downloads landed in fetching/ first and were renamed out of it.
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(_dir.Sub("b"), "sealed", "fetching")));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(_dir.Sub("b"), "cache", "fetching")));

        // Moved: the source is gone and only B holds the sector, as primary.
        Assert.False(File.Exists(Path.Combine(_dir.Sub("a"), "sealed", "s-t01000-9")));
        Assert.False(Directory.Exists(Path.Combine(_dir.Sub("a"), "cache", "s-t01000-9")));
        var holders = await _index.StorageFindSectorAsync(S9.ID, SectorFileType.Sealed, 0, false, Ct);
        var only = Assert.Single(holders);
        Assert.Equal(b.ID, only.ID);
        Assert.True(only.Primary);

        // Now local: a second acquire fetches nothing.
        await fetcher.AcquireSectorAsync(S9, SectorFileType.Sealed | SectorFileType.Cache, SectorFileType.None, PathType.Sealing, AcquireMode.Move, Ct);
        Assert.Equal(2, fetcher.FetchRequests);
    }

    [Fact]
    public async Task Copy_keeps_the_source_and_declares_a_secondary_copy()
    {
        var a = await _a.Store.AttachAsync(_dir.Sub("a"), init: true, canStore: true, ct: Ct);
        var b = await _b.Store.AttachAsync(_dir.Sub("b"), init: true, canSeal: true, ct: Ct);
        var files = await SealedSectorAsync(_dir.Sub("a"), a.ID);

        await FetcherOn(_b).AcquireSectorAsync(S9, SectorFileType.Cache, SectorFileType.None, PathType.Sealing, AcquireMode.Copy, Ct);

        var cache = Path.Combine(_dir.Sub("b"), "cache", "s-t01000-9");
        Assert.Equal(files["t_aux"], File.ReadAllBytes(Path.Combine(cache, "t_aux")));
        Assert.True(Directory.Exists(Path.Combine(_dir.Sub("a"), "cache", "s-t01000-9")));
        var holders = (await _index.StorageFindSectorAsync(S9.ID, SectorFileType.Cache, 0, false, Ct)).ToDictionary(h => h.ID);
        Assert.True(holders[a.ID].Primary);
        Assert.False(holders[b.ID].Primary);
    }

    [Fact]
    public async Task Shared_path_attached_on_both_hosts_is_local_to_both_and_nothing_is_fetched()
    {
        var shared = _dir.Sub("shared");
        var meta = await _a.Store.AttachAsync(shared, init: true, canSeal: true, ct: Ct);
        var files = await SealedSectorAsync(shared, meta.ID);

        // The second host opens the same directory: same id, its own URL.
        var opened = await _b.Store.AttachAsync(shared, init: false, ct: Ct);
        Assert.Equal(meta.ID, opened.ID);
        Assert.Equal([_a.Url, _b.Url], (await _index.StorageInfoAsync(meta.ID, Ct)).URLs);

        var fetcher = FetcherOn(_b);
        var got = await fetcher.AcquireSectorAsync(S9, SectorFileType.Sealed | SectorFileType.Cache, SectorFileType.None, PathType.Sealing, AcquireMode.Move, Ct);

        Assert.Equal(0, fetcher.FetchRequests);
        Assert.Equal(Path.Combine(shared, "sealed", "s-t01000-9"), got.Paths.Sealed);
        Assert.Equal(Path.Combine(shared, "cache", "s-t01000-9"), got.Paths.Cache);
        Assert.Equal(meta.ID.Value, got.StorageIds.Sealed);
        AssertSector(shared, files);
        Assert.False(Directory.Exists(Path.Combine(shared, "sealed", "fetching")));
    }

    [Fact]
    public async Task A_sector_nobody_holds_or_serves_fails_the_acquire()
    {
        var a = await _a.Store.AttachAsync(_dir.Sub("a"), init: true, canStore: true, ct: Ct);
        await _b.Store.AttachAsync(_dir.Sub("b"), init: true, canSeal: true, ct: Ct);
        var fetcher = FetcherOn(_b);

        var e = await Assert.ThrowsAsync<StoresException>(
            () => fetcher.AcquireSectorAsync(S9, SectorFileType.Sealed, SectorFileType.None, PathType.Sealing, AcquireMode.Move, Ct));
        Assert.Contains("not found", e.Message);
        Assert.Equal(0, fetcher.FetchRequests);

        // Declared, but the holder answers 500 (file missing there): every URL is tried, then the acquire fails.
        await _index.StorageDeclareSectorAsync(a.ID, S9.ID, SectorFileType.Sealed, true, Ct);
        e = await Assert.ThrowsAsync<StoresException>(
            () => fetcher.AcquireSectorAsync(S9, SectorFileType.Sealed, SectorFileType.None, PathType.Sealing, AcquireMode.Move, Ct));
        Assert.Contains("non-200 code: 500", e.Message);
        Assert.Equal(1, fetcher.FetchRequests);
        Assert.False(File.Exists(Path.Combine(_dir.Sub("b"), "sealed", "s-t01000-9")));
    }

    [Fact]
    public async Task Without_the_admin_token_the_holder_refuses()
    {
        var a = await _a.Store.AttachAsync(_dir.Sub("a"), init: true, canStore: true, ct: Ct);
        await _b.Store.AttachAsync(_dir.Sub("b"), init: true, canSeal: true, ct: Ct);
        await SealedSectorAsync(_dir.Sub("a"), a.ID);

        var e = await Assert.ThrowsAsync<StoresException>(
            () => FetcherOn(_b, token: null).AcquireSectorAsync(S9, SectorFileType.Sealed, SectorFileType.None, PathType.Sealing, AcquireMode.Move, Ct));
        Assert.Contains("401", e.Message);
        Assert.True(File.Exists(Path.Combine(_dir.Sub("a"), "sealed", "s-t01000-9")));
    }

    [Fact]
    public async Task Concurrent_acquires_of_one_sector_fetch_once()
    {
        var a = await _a.Store.AttachAsync(_dir.Sub("a"), init: true, canStore: true, ct: Ct);
        await _b.Store.AttachAsync(_dir.Sub("b"), init: true, canSeal: true, ct: Ct);
        var files = await SealedSectorAsync(_dir.Sub("a"), a.ID);
        var fetcher = FetcherOn(_b);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            fetcher.AcquireSectorAsync(S9, SectorFileType.Sealed | SectorFileType.Cache, SectorFileType.None, PathType.Sealing, AcquireMode.Copy, Ct)));

        Assert.Equal(2, fetcher.FetchRequests);
        AssertSector(_dir.Sub("b"), files);
    }
}
