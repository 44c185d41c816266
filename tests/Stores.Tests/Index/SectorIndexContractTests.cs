using Kiln.Api.Types;
using Kiln.Stores.Index;
using Kiln.Stores.Tests.Support;
using Kiln.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Kiln.Stores.Tests.Index;

/// <summary>Lotus <c>MemIndex</c> behaviour (storage/paths/index.go), run against every <see cref="ISectorIndex"/>.</summary>
public abstract class SectorIndexContractTests : IAsyncLifetime
{
    protected const ulong Ssize = 2048;
    protected static readonly SectorId S9 = new(1000, 9);
    protected static readonly StorageId A = new("aaaaaaaa-0000-0000-0000-000000000001");
    protected static readonly StorageId B = new("bbbbbbbb-0000-0000-0000-000000000002");
    protected static readonly StorageId C = new("cccccccc-0000-0000-0000-000000000003");

    protected FakeTimeProvider Clock { get; } = new();

    protected ISectorIndex Index { get; private set; } = null!;

    protected abstract Task<ISectorIndex> CreateAsync(TimeProvider time);

    public async Task InitializeAsync() => Index = await CreateAsync(Clock);

    public virtual Task DisposeAsync() => Task.CompletedTask;

    protected static StorageInfo Info(
        StorageId id,
        string url,
        ulong weight = 10,
        bool canSeal = true,
        bool canStore = false,
        IReadOnlyList<string>? groups = null,
        IReadOnlyList<string>? allowTo = null,
        IReadOnlyList<string>? allowMiners = null,
        IReadOnlyList<string>? denyMiners = null) =>
        new(id, [url], weight, 0, canSeal, canStore, groups, allowTo, null, null, allowMiners, denyMiners);

    protected static FsStat Space(long available) => new(1L << 40, available, available, 0, 0, 0);

    protected static readonly CancellationToken Ct = CancellationToken.None;

    [Fact]
    public async Task Attach_new_path_is_returned_by_StorageInfo_with_invalid_type_names_dropped()
    {
        var info = Info(A, "http://a/remote") with { AllowTypes = ["sealed", "bogus", "cache"], DenyTypes = ["nope"] };
        await Index.StorageAttachAsync(info, Space(1 << 30), Ct);

        var got = await Index.StorageInfoAsync(A, Ct);
        Assert.Equal(["http://a/remote"], got.URLs);
        Assert.Equal(["sealed", "cache"], got.AllowTypes);
        Assert.Empty(got.DenyTypes!);
        Assert.Null(got.Groups);
    }

    [Fact]
    public async Task Attach_known_path_merges_urls_and_overwrites_settings_but_keeps_stat()
    {
        await Index.StorageAttachAsync(Info(A, "http://a/remote", weight: 10), Space(1 << 30), Ct);
        await Index.StorageAttachAsync(
            Info(A, "http://b/remote", weight: 20, canSeal: false, canStore: true, groups: ["g"]) with
            {
                URLs = ["http://b/remote", "http://a/remote"],
                MaxStorage = 5,
            },
            Space(0),
            Ct);

        var got = await Index.StorageInfoAsync(A, Ct);
        Assert.Equal(["http://a/remote", "http://b/remote"], got.URLs);
        Assert.Equal(20UL, got.Weight);
        Assert.Equal(5UL, got.MaxStorage);
        Assert.False(got.CanSeal);
        Assert.True(got.CanStore);
        Assert.Equal(["g"], got.Groups);

        // The first attach's FsStat (1 GiB free) still decides allocation.
        var best = await Index.StorageBestAllocAsync(SectorFileType.Sealed, Ssize, PathType.Storage, 1000, Ct);
        Assert.Equal(A, Assert.Single(best).ID);
    }

    [Fact]
    public async Task Unknown_ids_fail()
    {
        await Assert.ThrowsAsync<StoragePathNotFoundException>(() => Index.StorageInfoAsync(A, Ct));
        await Assert.ThrowsAsync<StoragePathNotFoundException>(() => Index.StorageDetachAsync(A, "http://a/remote", Ct));
        await Assert.ThrowsAsync<StoragePathNotFoundException>(
            () => Index.StorageReportHealthAsync(A, new HealthReport(Space(1), ""), Ct));
    }

    [Fact]
    public async Task Detach_with_one_url_needs_that_url_and_drops_path_and_declarations()
    {
        await Index.StorageAttachAsync(Info(A, "http://a/remote"), Space(1 << 30), Ct);
        await Index.StorageAttachAsync(Info(B, "http://b/remote"), Space(1 << 30), Ct);
        await Index.StorageDeclareSectorAsync(A, S9, SectorFileType.Sealed | SectorFileType.Cache, true, Ct);
        await Index.StorageDeclareSectorAsync(B, S9, SectorFileType.Sealed, false, Ct);

        var e = await Assert.ThrowsAsync<StoresException>(() => Index.StorageDetachAsync(A, "http://other/remote", Ct));
        Assert.Contains("urls don't match", e.Message);
        await Index.StorageInfoAsync(A, Ct);

        await Index.StorageDetachAsync(A, "http://a/remote", Ct);
        await Assert.ThrowsAsync<StoragePathNotFoundException>(() => Index.StorageInfoAsync(A, Ct));
        var found = await Index.StorageFindSectorAsync(S9, SectorFileType.Sealed, Ssize, false, Ct);
        Assert.Equal(B, Assert.Single(found).ID);
        Assert.Empty(await Index.StorageFindSectorAsync(S9, SectorFileType.Cache, Ssize, false, Ct));
        var list = await Index.StorageListAsync(Ct);
        Assert.Equal([B], list.Keys);

        // A re-attach starts clean: the dropped declarations do not come back.
        await Index.StorageAttachAsync(Info(A, "http://a/remote"), Space(1 << 30), Ct);
        Assert.Empty((await Index.StorageListAsync(Ct))[A]);
    }

    [Fact]
    public async Task Detach_of_a_shared_path_removes_only_that_url()
    {
        await Index.StorageAttachAsync(Info(A, "http://a/remote"), Space(1 << 30), Ct);
        await Index.StorageAttachAsync(Info(A, "http://b/remote"), Space(1 << 30), Ct);
        await Index.StorageDeclareSectorAsync(A, S9, SectorFileType.Sealed, true, Ct);

        await Index.StorageDetachAsync(A, "http://a/remote", Ct);
        Assert.Equal(["http://b/remote"], (await Index.StorageInfoAsync(A, Ct)).URLs);
        var found = Assert.Single(await Index.StorageFindSectorAsync(S9, SectorFileType.Sealed, Ssize, false, Ct));
        Assert.Equal(["http://b/remote/sealed/s-t01000-9"], found.URLs);

        await Index.StorageDetachAsync(A, "http://b/remote", Ct);
        await Assert.ThrowsAsync<StoragePathNotFoundException>(() => Index.StorageInfoAsync(A, Ct));
    }

    [Fact]
    public async Task Detach_of_a_path_without_urls_drops_it()
    {
        await Index.StorageAttachAsync(Info(A, "x") with { URLs = [] }, Space(1), Ct);
        await Index.StorageDetachAsync(A, "anything", Ct);
        await Assert.ThrowsAsync<StoragePathNotFoundException>(() => Index.StorageInfoAsync(A, Ct));
    }

    [Fact]
    public async Task FindSector_builds_per_sector_urls_and_weights_by_types_present()
    {
        await Index.StorageAttachAsync(Info(A, "http://a:1234/remote", weight: 7), Space(1 << 30), Ct);
        await Index.StorageAttachAsync(Info(A, "http://a2:1234/remote/", weight: 7), Space(1 << 30), Ct);
        await Index.StorageAttachAsync(Info(B, "http://b/remote", weight: 3, canStore: true), Space(1 << 30), Ct);
        await Index.StorageDeclareSectorAsync(A, S9, SectorFileType.Sealed | SectorFileType.Cache, false, Ct);
        await Index.StorageDeclareSectorAsync(B, S9, SectorFileType.Cache, true, Ct);

        var sealedOnly = await Index.StorageFindSectorAsync(S9, SectorFileType.Sealed, Ssize, false, Ct);
        var a = Assert.Single(sealedOnly);
        Assert.Equal(["http://a:1234/remote/sealed/s-t01000-9", "http://a2:1234/remote/sealed/s-t01000-9"], a.URLs);
        Assert.Equal(["http://a:1234/remote", "http://a2:1234/remote/"], a.BaseURLs);
        Assert.Equal(7UL, a.Weight);
        Assert.False(a.Primary);
        Assert.True(a.CanSeal);

        var both = (await Index.StorageFindSectorAsync(S9, SectorFileType.Sealed | SectorFileType.Cache, Ssize, false, Ct))
            .ToDictionary(s => s.ID);
        Assert.Equal(14UL, both[A].Weight);
        Assert.Equal(3UL, both[B].Weight);
        Assert.True(both[B].Primary);
        Assert.True(both[B].CanStore);

        // A mask puts Go's String() of the mask into the URL (escaped as Go's url.URL does).
        Assert.Equal("http://b/remote/%3Cunknown%206%20%5Bsealed%20cache%5D%3E/s-t01000-9", Assert.Single(both[B].URLs!));
    }

    [Fact]
    public async Task Redeclare_upgrades_to_primary_and_never_downgrades()
    {
        await Index.StorageAttachAsync(Info(A, "http://a/remote"), Space(1 << 30), Ct);
        await Index.StorageDeclareSectorAsync(A, S9, SectorFileType.Sealed, false, Ct);
        Assert.False(Assert.Single(await Index.StorageFindSectorAsync(S9, SectorFileType.Sealed, Ssize, false, Ct)).Primary);

        await Index.StorageDeclareSectorAsync(A, S9, SectorFileType.Sealed, true, Ct);
        Assert.True(Assert.Single(await Index.StorageFindSectorAsync(S9, SectorFileType.Sealed, Ssize, false, Ct)).Primary);

        await Index.StorageDeclareSectorAsync(A, S9, SectorFileType.Sealed, false, Ct);
        var found = Assert.Single(await Index.StorageFindSectorAsync(S9, SectorFileType.Sealed, Ssize, false, Ct));
        Assert.True(found.Primary);
        Assert.Equal(10UL, found.Weight);
    }

    [Fact]
    public async Task Drop_removes_only_the_given_types_of_that_path()
    {
        await Index.StorageAttachAsync(Info(A, "http://a/remote"), Space(1 << 30), Ct);
        await Index.StorageAttachAsync(Info(B, "http://b/remote"), Space(1 << 30), Ct);
        await Index.StorageDeclareSectorAsync(A, S9, SectorFileType.Sealed | SectorFileType.Cache, true, Ct);
        await Index.StorageDeclareSectorAsync(B, S9, SectorFileType.Sealed, true, Ct);

        await Index.StorageDropSectorAsync(A, S9, SectorFileType.Sealed, Ct);
        Assert.Equal(B, Assert.Single(await Index.StorageFindSectorAsync(S9, SectorFileType.Sealed, Ssize, false, Ct)).ID);
        Assert.Equal(A, Assert.Single(await Index.StorageFindSectorAsync(S9, SectorFileType.Cache, Ssize, false, Ct)).ID);

        // Dropping what is not there is not an error.
        await Index.StorageDropSectorAsync(C, new SectorId(1, 1), SectorFileType.All, Ct);
    }

    [Fact]
    public async Task List_merges_the_types_of_each_sector_per_path()
    {
        await Index.StorageAttachAsync(Info(A, "http://a/remote"), Space(1 << 30), Ct);
        await Index.StorageAttachAsync(Info(B, "http://b/remote"), Space(1 << 30), Ct);
        await Index.StorageDeclareSectorAsync(A, S9, SectorFileType.Sealed, true, Ct);
        await Index.StorageDeclareSectorAsync(A, S9, SectorFileType.Cache, true, Ct);
        await Index.StorageDeclareSectorAsync(A, new SectorId(1000, 2), SectorFileType.Unsealed, false, Ct);

        var list = await Index.StorageListAsync(Ct);
        Assert.Equal(
            [new Decl(1000, 2, SectorFileType.Unsealed), new Decl(1000, 9, SectorFileType.Sealed | SectorFileType.Cache)],
            list[A]);
        Assert.Empty(list[B]);
    }

    [Fact]
    public async Task AllowFetch_adds_healthy_sealing_paths_with_room_at_weight_zero()
    {
        await Index.StorageAttachAsync(Info(A, "http://a/remote", canSeal: false, canStore: true), Space(1 << 30), Ct);
        await Index.StorageAttachAsync(Info(B, "http://b/remote"), Space(1 << 30), Ct);
        await Index.StorageAttachAsync(Info(C, "http://c/remote", canSeal: false), Space(1 << 30), Ct);
        var full = new StorageId("dddddddd-0000-0000-0000-000000000004");
        await Index.StorageAttachAsync(Info(full, "http://d/remote"), Space(2047), Ct);
        await Index.StorageDeclareSectorAsync(A, S9, SectorFileType.Sealed, true, Ct);

        var found = await Index.StorageFindSectorAsync(S9, SectorFileType.Sealed, Ssize, true, Ct);
        Assert.Equal([A, B], found.Select(f => f.ID).OrderBy(i => i.Value, StringComparer.Ordinal));
        var b = found.Single(f => f.ID == B);
        Assert.Equal(0UL, b.Weight);
        Assert.False(b.Primary);
        Assert.Equal(["http://b/remote/sealed/s-t01000-9"], b.URLs);

        // A holder that can seal is not listed twice.
        await Index.StorageDeclareSectorAsync(B, S9, SectorFileType.Sealed, false, Ct);
        found = await Index.StorageFindSectorAsync(S9, SectorFileType.Sealed, Ssize, true, Ct);
        Assert.Equal(2, found.Count);
        Assert.Equal(10UL, found.Single(f => f.ID == B).Weight);
    }

    [Fact]
    public async Task AllowFetch_without_any_holder_offers_nothing()
    {
        await Index.StorageAttachAsync(Info(B, "http://b/remote"), Space(1 << 30), Ct);
        Assert.Empty(await Index.StorageFindSectorAsync(S9, SectorFileType.Sealed, Ssize, true, Ct));
    }

    [Fact]
    public async Task AllowFetch_respects_AllowTo_groups_of_the_holders()
    {
        await Index.StorageAttachAsync(Info(A, "http://a/remote", canSeal: false, allowTo: ["g1"]), Space(1 << 30), Ct);
        await Index.StorageAttachAsync(Info(B, "http://b/remote", groups: ["g1"]), Space(1 << 30), Ct);
        await Index.StorageAttachAsync(Info(C, "http://c/remote", groups: ["g2"]), Space(1 << 30), Ct);
        await Index.StorageDeclareSectorAsync(A, S9, SectorFileType.Sealed, true, Ct);

        var found = await Index.StorageFindSectorAsync(S9, SectorFileType.Sealed, Ssize, true, Ct);
        Assert.Equal([A, B], found.Select(f => f.ID).OrderBy(i => i.Value, StringComparer.Ordinal));

        // Another holder without AllowTo lifts the restriction.
        var open = new StorageId("eeeeeeee-0000-0000-0000-000000000005");
        await Index.StorageAttachAsync(Info(open, "http://e/remote", canSeal: false), Space(1 << 30), Ct);
        await Index.StorageDeclareSectorAsync(open, S9, SectorFileType.Sealed, true, Ct);
        found = await Index.StorageFindSectorAsync(S9, SectorFileType.Sealed, Ssize, true, Ct);
        Assert.Equal([A, B, C, open], found.Select(f => f.ID).OrderBy(i => i.Value, StringComparer.Ordinal));
    }

    [Fact]
    public async Task AllowFetch_skips_denied_types_and_miners()
    {
        await Index.StorageAttachAsync(Info(A, "http://a/remote", canSeal: false), Space(1 << 30), Ct);
        await Index.StorageAttachAsync(Info(B, "http://b/remote") with { DenyTypes = ["sealed"] }, Space(1 << 30), Ct);
        await Index.StorageAttachAsync(Info(C, "http://c/remote", denyMiners: ["f01000"]), Space(1 << 30), Ct);
        await Index.StorageDeclareSectorAsync(A, S9, SectorFileType.Sealed, true, Ct);

        var found = await Index.StorageFindSectorAsync(S9, SectorFileType.Sealed, Ssize, true, Ct);
        Assert.Equal(A, Assert.Single(found).ID);
    }

    [Fact]
    public async Task Stale_heartbeats_and_reported_errors_are_skipped()
    {
        await Index.StorageAttachAsync(Info(A, "http://a/remote", canSeal: false), Space(1 << 30), Ct);
        await Index.StorageAttachAsync(Info(B, "http://b/remote"), Space(1 << 30), Ct);
        await Index.StorageDeclareSectorAsync(A, S9, SectorFileType.Sealed, true, Ct);

        Clock.Advance(TimeSpan.FromSeconds(50));
        Assert.Equal(B, Assert.Single(await Index.StorageBestAllocAsync(SectorFileType.Sealed, Ssize, PathType.Sealing, 1000, Ct)).ID);
        Clock.Advance(TimeSpan.FromSeconds(1));
        var e = await Assert.ThrowsAsync<StoresException>(
            () => Index.StorageBestAllocAsync(SectorFileType.Sealed, Ssize, PathType.Sealing, 1000, Ct));
        Assert.Equal("no good path found", e.Message);
        Assert.True(e.IsRetryable);
        Assert.Single(await Index.StorageFindSectorAsync(S9, SectorFileType.Sealed, Ssize, true, Ct));

        await Index.StorageReportHealthAsync(B, new HealthReport(Space(1 << 30), ""), Ct);
        Assert.Single(await Index.StorageBestAllocAsync(SectorFileType.Sealed, Ssize, PathType.Sealing, 1000, Ct));
        Assert.Equal(2, (await Index.StorageFindSectorAsync(S9, SectorFileType.Sealed, Ssize, true, Ct)).Count);

        await Index.StorageReportHealthAsync(B, new HealthReport(Space(1 << 30), "stat: input/output error"), Ct);
        await Assert.ThrowsAsync<StoresException>(
            () => Index.StorageBestAllocAsync(SectorFileType.Sealed, Ssize, PathType.Sealing, 1000, Ct));
        Assert.Single(await Index.StorageFindSectorAsync(S9, SectorFileType.Sealed, Ssize, true, Ct));
    }

    [Fact]
    public async Task Health_report_replaces_the_stat_used_for_allocation()
    {
        await Index.StorageAttachAsync(Info(B, "http://b/remote"), Space(1 << 30), Ct);
        await Index.StorageReportHealthAsync(B, new HealthReport(Space(100), ""), Ct);
        await Assert.ThrowsAsync<StoresException>(
            () => Index.StorageBestAllocAsync(SectorFileType.Sealed, Ssize, PathType.Sealing, 1000, Ct));
    }

    [Fact]
    public async Task BestAlloc_orders_by_available_times_weight_and_checks_kind_space_and_miner()
    {
        await Index.StorageAttachAsync(Info(A, "http://a/remote", weight: 10), Space(100_000), Ct);
        await Index.StorageAttachAsync(Info(B, "http://b/remote", weight: 1), Space(900_000), Ct);
        await Index.StorageAttachAsync(Info(C, "http://c/remote", weight: 100, canSeal: false, canStore: true), Space(1_000_000), Ct);

        var sealing = await Index.StorageBestAllocAsync(SectorFileType.Cache, Ssize, PathType.Sealing, 1000, Ct);
        Assert.Equal([A, B], sealing.Select(s => s.ID));
        var storage = await Index.StorageBestAllocAsync(SectorFileType.Cache, Ssize, PathType.Storage, 1000, Ct);
        Assert.Equal([C], storage.Select(s => s.ID));

        // Sealing a cache needs 14.1 × the sector size, storing it 0.1 ×.
        await Index.StorageReportHealthAsync(C, new HealthReport(Space(204), ""), Ct);
        Assert.Single(await Index.StorageBestAllocAsync(SectorFileType.Cache, Ssize, PathType.Storage, 1000, Ct));
        await Index.StorageReportHealthAsync(C, new HealthReport(Space(203), ""), Ct);
        await Assert.ThrowsAsync<StoresException>(
            () => Index.StorageBestAllocAsync(SectorFileType.Cache, Ssize, PathType.Storage, 1000, Ct));
        await Index.StorageReportHealthAsync(A, new HealthReport(Space(28876), ""), Ct);
        Assert.Equal([B, A], (await Index.StorageBestAllocAsync(SectorFileType.Cache, Ssize, PathType.Sealing, 1000, Ct)).Select(s => s.ID));
        await Index.StorageReportHealthAsync(A, new HealthReport(Space(28875), ""), Ct);
        Assert.Equal([B], (await Index.StorageBestAllocAsync(SectorFileType.Cache, Ssize, PathType.Sealing, 1000, Ct)).Select(s => s.ID));

        // Miner filters: "f0<id>" addresses.
        await Index.StorageAttachAsync(Info(B, "http://b/remote", weight: 1, allowMiners: ["f01001"]), Space(0), Ct);
        await Assert.ThrowsAsync<StoresException>(
            () => Index.StorageBestAllocAsync(SectorFileType.Cache, Ssize, PathType.Sealing, 1000, Ct));
        Assert.Single(await Index.StorageBestAllocAsync(SectorFileType.Cache, Ssize, PathType.Sealing, 1001, Ct));
        await Index.StorageAttachAsync(Info(B, "http://b/remote", weight: 1, denyMiners: ["t01001"]), Space(0), Ct);
        Assert.Single(await Index.StorageBestAllocAsync(SectorFileType.Cache, Ssize, PathType.Sealing, 1000, Ct));
        await Assert.ThrowsAsync<StoresException>(
            () => Index.StorageBestAllocAsync(SectorFileType.Cache, Ssize, PathType.Sealing, 1001, Ct));
    }

    [Fact]
    public async Task BestAlloc_does_not_apply_type_filters()
    {
        await Index.StorageAttachAsync(Info(A, "http://a/remote") with { DenyTypes = ["sealed"] }, Space(1 << 30), Ct);
        Assert.Single(await Index.StorageBestAllocAsync(SectorFileType.Sealed, Ssize, PathType.Sealing, 1000, Ct));
    }
}

public sealed class MemSectorIndexTests : SectorIndexContractTests
{
    protected override Task<ISectorIndex> CreateAsync(TimeProvider time) => Task.FromResult<ISectorIndex>(new MemSectorIndex(time));
}

/// <summary>The contract and a reopen, for the indexes kept in a database (<see cref="SqlSectorIndex"/> on SQLite and PostgreSQL).</summary>
public abstract class SqlSectorIndexContractTests : SectorIndexContractTests
{
    [Fact]
    public async Task Reopened_index_gives_the_same_answers()
    {
        var ct = CancellationToken.None;
        await Index.StorageAttachAsync(Info(A, "http://a/remote", weight: 7, groups: ["g"]) with { AllowTypes = ["sealed"] }, Space(1 << 30), ct);
        await Index.StorageAttachAsync(Info(A, "http://a2/remote", weight: 7, groups: ["g"]) with { AllowTypes = ["sealed"] }, Space(1 << 30), ct);
        await Index.StorageAttachAsync(Info(B, "http://b/remote", canStore: true), Space(1 << 29), ct);
        await Index.StorageReportHealthAsync(B, new HealthReport(Space(1 << 28), ""), ct);
        await Index.StorageDeclareSectorAsync(A, S9, SectorFileType.Sealed | SectorFileType.Cache, true, ct);
        await Index.StorageDeclareSectorAsync(B, S9, SectorFileType.Unsealed, false, ct);

        async Task<string> SnapshotAsync(ISectorIndex index) =>
            System.Text.Json.JsonSerializer.Serialize(
                new object[]
                {
                    await index.StorageInfoAsync(A, ct),
                    await index.StorageInfoAsync(B, ct),
                    (await index.StorageFindSectorAsync(S9, SectorFileType.All, Ssize, true, ct)).OrderBy(s => s.ID.Value).ToList(),
                    await index.StorageBestAllocAsync(SectorFileType.Sealed, Ssize, PathType.Sealing, 1000, ct),
                    await index.StorageListAsync(ct),
                },
                Kiln.Api.Types.ApiJson.Options);

        var before = await SnapshotAsync(Index);
        await ((SqlSectorIndex)Index).DisposeAsync();

        var reopened = await CreateAsync(Clock);
        Assert.Equal(before, await SnapshotAsync(reopened));
    }
}

public sealed class SqliteSectorIndexTests : SqlSectorIndexContractTests
{
    private readonly TempDir _dir = new();
    private readonly List<SqlSectorIndex> _opened = [];

    protected override async Task<ISectorIndex> CreateAsync(TimeProvider time)
    {
        var index = await SqlSectorIndex.OpenSqliteAsync(_dir.Sub("index.db"), time);
        _opened.Add(index);
        return index;
    }

    public override Task DisposeAsync()
    {
        foreach (var i in _opened)
        {
            i.Dispose();
        }

        _dir.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>The contract on PostgreSQL: a fresh database on the test cluster (<c>KILN_TEST_POSTGRES</c>) per test.</summary>
public sealed class PostgresSectorIndexTests : SqlSectorIndexContractTests
{
    private readonly List<SqlSectorIndex> _opened = [];
    private PostgresTestDatabase? _database;

    protected override async Task<ISectorIndex> CreateAsync(TimeProvider time)
    {
        _database ??= await PostgresTestDatabase.CreateAsync();
        var index = await SqlSectorIndex.OpenPostgresAsync(_database.ConnectionString, time);
        _opened.Add(index);
        return index;
    }

    public override async Task DisposeAsync()
    {
        foreach (var i in _opened)
        {
            await i.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_database_with_a_newer_index_schema_is_refused_naming_both_versions()
    {
        await using (var c = new Npgsql.NpgsqlConnection(_database!.ConnectionString))
        {
            await c.OpenAsync();
            await using var bump = new Npgsql.NpgsqlCommand("UPDATE kiln_schema SET version = 99 WHERE component = 'sector_index'", c);
            Assert.Equal(1, await bump.ExecuteNonQueryAsync());
        }

        var e = await Assert.ThrowsAsync<StoresException>(() => SqlSectorIndex.OpenPostgresAsync(_database.ConnectionString, Clock));
        Assert.Contains("schema is version 99", e.Message, StringComparison.Ordinal);
        Assert.Contains($"up to {SectorIndexDialect.SchemaVersion}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_declarations_all_land_and_share_transactions()
    {
        await Index.StorageAttachAsync(Info(A, "http://a/remote", canStore: true), Space(1 << 30), Ct);
        await Task.WhenAll(Enumerable.Range(0, 500).Select(n => Index.StorageDeclareSectorAsync(A, new SectorId(1000, (ulong)n), SectorFileType.Sealed, true, Ct)));

        var list = await Index.StorageListAsync(Ct);
        Assert.Equal(500, list[A].Count);
        var (transactions, writes) = ((SqlSectorIndex)Index).Commits;
        Assert.Equal(501, writes);
        Assert.True(transactions < writes, $"{transactions} transactions for {writes} writes");
    }

    [Fact]
    public async Task An_unreachable_server_is_named_in_the_error()
    {
        var e = await Assert.ThrowsAsync<StoresException>(() => SqlSectorIndex.OpenPostgresAsync("Host=/nonexistent-kiln-socket-dir;Username=kiln;Database=nothing;Timeout=2", Clock));
        Assert.Contains("nothing on /nonexistent-kiln-socket-dir", e.Message, StringComparison.Ordinal);
    }
}
