using Kiln.Api.Types;
using Kiln.Proofs;
using Kiln.Stores.Index;
using Kiln.Stores.Local;
using Kiln.Stores.Tests.Support;
using Kiln.Testing;

namespace Kiln.Stores.Tests.Local;

public sealed class LocalStoreTests : IDisposable
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly SectorRef S9 = new(new SectorId(1000, 9), RegisteredSealProof.StackedDrg2KiBV1_1);
    private readonly TempDir _dir = new();
    private readonly WatchedTimeProvider _clock = new();
    private readonly MemSectorIndex _index;

    public LocalStoreTests() => _index = new MemSectorIndex(_clock);

    public void Dispose() => _dir.Dispose();

    private LocalStore NewStore(string url = "http://a.test/remote", string? config = null) =>
        new(_index, new LocalStoreOptions { Urls = [url], StorageConfigFile = config }, _clock);

    private static void WriteMeta(string root, string id, bool canSeal, bool canStore, ulong maxStorage = 0)
    {
        Directory.CreateDirectory(root);
        File.WriteAllText(
            Path.Combine(root, "sectorstore.json"),
            $$"""{"ID":"{{id}}","Weight":10,"CanSeal":{{(canSeal ? "true" : "false")}},"CanStore":{{(canStore ? "true" : "false")}},"MaxStorage":{{maxStorage}},"Groups":null,"AllowTo":null,"AllowTypes":null,"DenyTypes":null,"AllowMiners":null,"DenyMiners":null}""");
    }

    [Fact]
    public async Task Redeclare_declares_new_files_and_drops_missing_ones()
    {
        var root = _dir.Sub("p");
        const string Id = "6f3b5c1e-0000-4000-8000-00000000000a";
        WriteMeta(root, Id, canSeal: true, canStore: true);
        var store = NewStore();
        await store.OpenPathAsync(root, Ct);

        // a file that appeared after opening, and a declaration whose file is gone
        File.WriteAllBytes(Path.Combine(root, "sealed", "s-t01000-9"), [1]);
        await _index.StorageDeclareSectorAsync(new StorageId(Id), new SectorId(1000, 7), SectorFileType.Sealed, true, Ct);

        await store.RedeclareAsync(null, dropMissing: false, Ct);
        Assert.Equal(2, (await _index.StorageListAsync(Ct))[new StorageId(Id)].Count);

        await store.RedeclareAsync(new StorageId(Id), dropMissing: true, Ct);
        var decl = Assert.Single((await _index.StorageListAsync(Ct))[new StorageId(Id)]);
        Assert.Equal(9UL, decl.Number);
        Assert.Equal(SectorFileType.Sealed, decl.SectorFileType);
    }

    [Fact]
    public async Task Attach_init_writes_lotus_files_and_opens_the_path()
    {
        var config = _dir.Sub("repo", "storage.json");
        Directory.CreateDirectory(_dir.Sub("repo"));
        var store = NewStore(config: config);
        var root = _dir.Sub("seal");

        var meta = await store.AttachAsync(root, init: true, weight: 10, canSeal: true, ct: Ct);

        Assert.True(Guid.TryParse(meta.ID.Value, out _));
        Assert.Equal(
            "{\n  \"ID\": \"" + meta.ID.Value + "\",\n  \"Weight\": 10,\n  \"CanSeal\": true,\n  \"CanStore\": false,\n  \"MaxStorage\": 0,\n"
            + "  \"Groups\": null,\n  \"AllowTo\": null,\n  \"AllowTypes\": null,\n  \"DenyTypes\": null,\n  \"AllowMiners\": null,\n  \"DenyMiners\": null\n}",
            File.ReadAllText(Path.Combine(root, "sectorstore.json")));
        Assert.Equal(
            "{\n  \"StoragePaths\": [\n    {\n      \"Path\": \"" + root + "\"\n    }\n  ]\n}",
            File.ReadAllText(config));
        foreach (var sub in new[] { "unsealed", "sealed", "cache", "update", "update-cache", "piece" })
        {
            Assert.True(Directory.Exists(Path.Combine(root, sub)), sub);
        }

        var info = await _index.StorageInfoAsync(meta.ID, Ct);
        Assert.Equal(["http://a.test/remote"], info.URLs);
        Assert.True(info.CanSeal);
        Assert.Equal(root, store.Local()[meta.ID]);
        Assert.Equal(new StoragePath(meta.ID, 10, root, true, false), Assert.Single(store.Paths()));
    }

    [Fact]
    public async Task Attach_init_needs_seal_or_store_and_a_fresh_path()
    {
        var store = NewStore();
        var e = await Assert.ThrowsAsync<StoresException>(() => store.AttachAsync(_dir.Sub("p"), init: true, ct: Ct));
        Assert.Contains("--store or --seal", e.Message);

        await store.AttachAsync(_dir.Sub("p"), init: true, canStore: true, ct: Ct);
        e = await Assert.ThrowsAsync<StoresException>(() => store.AttachAsync(_dir.Sub("p"), init: true, canStore: true, ct: Ct));
        Assert.Contains("already initialized", e.Message);
    }

    [Fact]
    public async Task Open_declares_existing_files_skipping_fetching()
    {
        var root = _dir.Sub("store");
        var id = new StorageId("11111111-2222-3333-4444-555555555555");
        WriteMeta(root, id.Value, canSeal: false, canStore: true);
        Directory.CreateDirectory(Path.Combine(root, "sealed", "fetching"));
        File.WriteAllText(Path.Combine(root, "sealed", "fetching", "s-t01000-7"), "partial");
        File.WriteAllText(Path.Combine(root, "sealed", "s-t01000-9"), "sealed");
        Directory.CreateDirectory(Path.Combine(root, "cache", "s-t01000-9"));

        var store = NewStore();
        await store.OpenPathAsync(root, Ct);

        var list = await _index.StorageListAsync(Ct);
        Assert.Equal([new Decl(1000, 9, SectorFileType.Sealed | SectorFileType.Cache)], list[id]);
        Assert.True(Assert.Single(await _index.StorageFindSectorAsync(S9.ID, SectorFileType.Sealed, 2048, false, Ct)).Primary);

        var again = await Assert.ThrowsAsync<StoresException>(() => store.OpenPathAsync(root, Ct));
        Assert.Contains("already opened", again.Message);
    }

    [Fact]
    public async Task Open_skips_a_file_that_is_not_a_sector_and_logs_it()
    {
        // Regression: a stray file used to stop the path (and the miner) from opening.
        var root = _dir.Sub("store");
        WriteMeta(root, Guid.NewGuid().ToString(), canSeal: true, canStore: false);
        Directory.CreateDirectory(Path.Combine(root, "unsealed"));
        File.WriteAllText(Path.Combine(root, "unsealed", "notes.txt"), "x");
        File.WriteAllBytes(Path.Combine(root, "unsealed", "s-t01000-2"), [1]);
        var log = new ListLogger();
        var store = new LocalStore(_index, new LocalStoreOptions { Urls = ["http://a.test/remote"] }, _clock, log);

        var meta = await store.OpenPathAsync(root, Ct);

        var decl = Assert.Single((await _index.StorageListAsync(Ct))[meta.ID]);
        Assert.Equal(2UL, decl.Number);
        var warning = Assert.Single(log.Messages, m => m.Contains("notes.txt", StringComparison.Ordinal));
        Assert.Contains("not a sector name", warning, StringComparison.Ordinal);
        Assert.Equal("x", File.ReadAllText(Path.Combine(root, "unsealed", "notes.txt")));
    }

    private sealed class ListLogger : Microsoft.Extensions.Logging.ILogger<LocalStore>
    {
        public List<string> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(
            Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Messages)
            {
                Messages.Add(formatter(state, exception));
            }
        }
    }

    [Fact]
    public async Task Open_without_metadata_fails()
    {
        Directory.CreateDirectory(_dir.Sub("empty"));
        var e = await Assert.ThrowsAsync<StoresException>(() => NewStore().OpenPathAsync(_dir.Sub("empty"), Ct));
        Assert.Contains("sectorstore.json", e.Message);
    }

    [Fact]
    public async Task Storage_json_reopens_paths_after_a_restart()
    {
        var config = _dir.Sub("storage.json");
        var meta = await NewStore(config: config).AttachAsync(_dir.Sub("p"), init: true, canSeal: true, ct: Ct);
        File.WriteAllText(Path.Combine(_dir.Sub("p"), "sealed", "s-t01000-9"), "x");

        var restarted = NewStore(config: config);
        await restarted.OpenAsync(Ct);
        Assert.Equal([meta.ID], restarted.Local().Keys);
        Assert.Equal(meta.ID, Assert.Single(await _index.StorageFindSectorAsync(S9.ID, SectorFileType.Sealed, 2048, false, Ct)).ID);
    }

    [Fact]
    public async Task FsStat_applies_max_storage_and_reservations()
    {
        var root = _dir.Sub("limited");
        var id = new StorageId(Guid.NewGuid().ToString());
        WriteMeta(root, id.Value, canSeal: true, canStore: false, maxStorage: 100_000);
        var store = NewStore();
        await store.OpenPathAsync(root, Ct);
        File.WriteAllBytes(Path.Combine(root, "unsealed", "s-t01000-1"), new byte[10_000]);

        var stat = await store.FsStatAsync(id, Ct);
        Assert.Equal(100_000, stat.Max);
        Assert.True(stat.Used >= 10_000);
        Assert.Equal(100_000 - stat.Used, stat.Available);
        Assert.True(stat.Capacity > 0);
        Assert.True(stat.FSAvailable > stat.Available);
        Assert.Equal(0, stat.Reserved);

        // Sealing a 2 KiB cache reserves 14.1 × 2048 = 28876 bytes.
        var ids = new SectorPaths(S9.ID).With(SectorFileType.Cache, id.Value);
        var reservation = store.Reserve(S9, SectorFileType.Cache, ids, PathType.Sealing);
        var reserved = await store.FsStatAsync(id, Ct);
        Assert.Equal(28876, reserved.Reserved);
        Assert.Equal(100_000 - reserved.Used - 28876, reserved.Available);

        // Bytes already written for that sector count against the reservation.
        Directory.CreateDirectory(Path.Combine(root, "cache", "s-t01000-9"));
        File.WriteAllBytes(Path.Combine(root, "cache", "s-t01000-9", "p_aux"), new byte[876]);
        Assert.Equal(28000, (await store.FsStatAsync(id, Ct)).Reserved);

        reservation.Dispose();
        reservation.Dispose();
        Assert.Equal(0, (await store.FsStatAsync(id, Ct)).Reserved);
        Assert.Throws<StoragePathNotFoundException>(() => store.FsStatAsync(StorageId.New(), Ct).GetAwaiter().GetResult());
    }

    [Fact]
    public async Task Reserve_fails_retryably_when_there_is_no_room_and_holds_nothing()
    {
        var root = _dir.Sub("small");
        var id = new StorageId(Guid.NewGuid().ToString());
        WriteMeta(root, id.Value, canSeal: true, canStore: false, maxStorage: 30_000);
        var store = NewStore();
        await store.OpenPathAsync(root, Ct);
        var ids = new SectorPaths(S9.ID).With(SectorFileType.Cache, id.Value).With(SectorFileType.Sealed, id.Value);

        // Sealed (2048) fits, then cache (28876) does not: nothing stays reserved.
        var e = Assert.Throws<StoresException>(() => store.Reserve(S9, SectorFileType.Sealed | SectorFileType.Cache, ids, PathType.Sealing));
        Assert.True(e.IsRetryable);
        Assert.Equal(0, (await store.FsStatAsync(id, Ct)).Reserved);

        using var ok = store.Reserve(S9, SectorFileType.Cache, ids, PathType.Sealing);
        Assert.Throws<StoresException>(() => store.Reserve(new SectorRef(new SectorId(1000, 10), S9.ProofType), SectorFileType.Sealed, ids, PathType.Sealing));
    }

    [Fact]
    public async Task Acquire_finds_existing_files_and_allocates_in_fitting_paths()
    {
        var store = NewStore();
        var seal = await store.AttachAsync(_dir.Sub("seal"), init: true, canSeal: true, ct: Ct);
        var keep = await store.AttachAsync(_dir.Sub("keep"), init: true, canStore: true, ct: Ct);
        File.WriteAllText(Path.Combine(_dir.Sub("keep"), "sealed", "s-t01000-9"), "x");
        await _index.StorageDeclareSectorAsync(keep.ID, S9.ID, SectorFileType.Sealed, true, Ct);

        var got = await store.AcquireSectorAsync(S9, SectorFileType.Sealed, SectorFileType.Cache | SectorFileType.Unsealed, PathType.Sealing, Ct);
        Assert.Equal(Path.Combine(_dir.Sub("keep"), "sealed", "s-t01000-9"), got.Paths.Sealed);
        Assert.Equal(keep.ID.Value, got.StorageIds.Sealed);
        Assert.Equal(Path.Combine(_dir.Sub("seal"), "cache", "s-t01000-9"), got.Paths.Cache);
        Assert.Equal(seal.ID.Value, got.StorageIds.Unsealed);
        Assert.Equal(SectorFileType.Sealed | SectorFileType.Cache | SectorFileType.Unsealed, got.Paths.Present);

        // A type nobody has is simply absent.
        var missing = await store.AcquireSectorAsync(S9, SectorFileType.Update, SectorFileType.None, PathType.Sealing, Ct);
        Assert.Equal(SectorFileType.None, missing.Paths.Present);

        await Assert.ThrowsAsync<StoresException>(
            () => store.AcquireSectorAsync(S9, SectorFileType.Sealed, SectorFileType.Sealed, PathType.Sealing, Ct));

        _clock.Advance(TimeSpan.FromMinutes(1));
        var stale = await Assert.ThrowsAsync<StoresException>(
            () => store.AcquireSectorAsync(S9, SectorFileType.None, SectorFileType.Cache, PathType.Sealing, Ct));
        Assert.True(stale.IsRetryable);
        await store.ReportHealthAsync(Ct);
        await store.AcquireSectorAsync(S9, SectorFileType.None, SectorFileType.Cache, PathType.Sealing, Ct);
    }

    [Fact]
    public async Task Remove_deletes_everywhere_except_kept_paths()
    {
        var store = NewStore();
        var a = await store.AttachAsync(_dir.Sub("a"), init: true, canSeal: true, ct: Ct);
        var b = await store.AttachAsync(_dir.Sub("b"), init: true, canStore: true, ct: Ct);
        foreach (var (root, id) in new[] { (_dir.Sub("a"), a.ID), (_dir.Sub("b"), b.ID) })
        {
            Directory.CreateDirectory(Path.Combine(root, "cache", "s-t01000-9"));
            File.WriteAllText(Path.Combine(root, "cache", "s-t01000-9", "p_aux"), "x");
            await _index.StorageDeclareSectorAsync(id, S9.ID, SectorFileType.Cache, false, Ct);
        }

        await store.RemoveAsync(S9.ID, SectorFileType.Cache, false, [b.ID], Ct);
        Assert.False(Directory.Exists(Path.Combine(_dir.Sub("a"), "cache", "s-t01000-9")));
        Assert.True(Directory.Exists(Path.Combine(_dir.Sub("b"), "cache", "s-t01000-9")));
        Assert.Equal(b.ID, Assert.Single(await _index.StorageFindSectorAsync(S9.ID, SectorFileType.Cache, 0, false, Ct)).ID);

        await Assert.ThrowsAsync<StoresException>(() => store.RemoveAsync(S9.ID, SectorFileType.Sealed, false, [], Ct));
        await Assert.ThrowsAsync<StoresException>(() => store.RemoveAsync(S9.ID, SectorFileType.All, false, [], Ct));
        await store.RemoveAsync(S9.ID, SectorFileType.Sealed, true, [], Ct);
    }

    [Fact]
    public async Task Health_loop_reports_until_cancelled()
    {
        var (index, reports) = CountingIndex.Wrap(new MemSectorIndex(_clock));
        var interval = TimeSpan.FromMinutes(1);
        var store = new LocalStore(index, new LocalStoreOptions { Urls = ["http://a.test/remote"], HealthInterval = interval }, _clock);
        var meta = await store.AttachAsync(_dir.Sub("p"), init: true, canSeal: true, ct: Ct);
        _clock.Advance(TimeSpan.FromMinutes(5));
        // The path's last report is too old: nothing is allocated on it.
        await Assert.ThrowsAsync<StoresException>(() => index.StorageBestAllocAsync(SectorFileType.Sealed, 2048, PathType.Sealing, 1000, Ct));
        while (reports.HealthReports.Reader.TryRead(out _))
        {
        }

        using var cts = new CancellationTokenSource();
        var loop = store.RunHealthReportsAsync(cts.Token);
        Assert.Equal(meta.ID, await reports.HealthReports.Reader.ReadAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        await index.StorageBestAllocAsync(SectorFileType.Sealed, 2048, PathType.Sealing, 1000, Ct);

        // The next report comes when the interval has passed on the store's clock, not before.
        await _clock.WaitForTimerAsync(interval);
        _clock.Advance(interval - TimeSpan.FromSeconds(1));
        Assert.False(reports.HealthReports.Reader.TryRead(out _));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(meta.ID, await reports.HealthReports.Reader.ReadAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));

        await cts.CancelAsync();
        await loop.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("..\\x")]
    [InlineData("/etc")]
    [InlineData("x\0y")]
    public void Guard_refuses_names_that_are_not_plain(string segment) =>
        Assert.Throws<StoresException>(() => SectorPathGuard.Child(_dir.Path, "sealed", segment));

    [Fact]
    public void Guard_builds_sector_paths_inside_the_root()
    {
        Assert.Equal(Path.Combine(_dir.Path, "update-cache", "s-t01000-9"), SectorPathGuard.SectorPath(_dir.Path, S9.ID, SectorFileType.UpdateCache));
        Assert.Equal(Path.Combine(_dir.Path, "sealed", "%2e%2e"), SectorPathGuard.Child(_dir.Path, "sealed", "%2e%2e"));
        Assert.Throws<StoresException>(() => SectorPathGuard.SectorPath(_dir.Path, S9.ID, SectorFileType.Sealed | SectorFileType.Cache));
        Assert.Equal(
            Path.Combine(_dir.Path, "sealed", "fetching", "s-t01000-9"),
            SectorPathGuard.FetchTempPath(Path.Combine(_dir.Path, "sealed", "s-t01000-9")));
    }
}
