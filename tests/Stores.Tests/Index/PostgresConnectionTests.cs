using Kiln.Api.Types;
using Kiln.Stores.Index;
using Kiln.Stores.Sql;
using Kiln.Stores.Tests.Support;
using Kiln.Testing;

namespace Kiln.Stores.Tests.Index;

/// <summary>PostgreSQL connection strings, the miner claim on a database, and copying a repo's SQLite index into PostgreSQL.</summary>
public sealed class PostgresConnectionTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private PostgresTestDatabase? _database;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }

        _dir.Dispose();
    }

    /// <summary>The test's database on the test cluster, created on first use (the parsing tests need none).</summary>
    private async Task<string> DatabaseAsync() => (_database ??= await PostgresTestDatabase.CreateAsync()).ConnectionString;

    [Theory]
    [InlineData("postgres://kiln:s%40cret@db.example:6543/miner?sslmode=require", "db.example", 6543, "kiln", "s@cret", "miner")]
    [InlineData("postgresql://db.example/miner", "db.example", 5432, null, null, "miner")]
    [InlineData("Host=db.example;Port=6543;Username=kiln;Database=miner", "db.example", 6543, "kiln", null, "miner")]
    public void URLs_and_connection_strings_become_the_same_Npgsql_settings(string given, string host, int port, string? user, string? password, string database)
    {
        var b = new Npgsql.NpgsqlConnectionStringBuilder(PostgresConnection.Normalize(given));

        Assert.Equal((host, port, user, password, database), (b.Host, b.Port, b.Username, b.Password, b.Database));
    }

    [Theory]
    [InlineData("postgres://")]
    [InlineData("Hots=x;;=")]
    [InlineData("postgres://h/db?nonsense_key=1")]
    public void A_malformed_database_setting_is_refused_with_a_format_error(string given) =>
        Assert.Throws<FormatException>(() => PostgresConnection.Normalize(given));

    [Fact]
    public async Task A_database_claimed_by_one_miner_is_refused_to_another_naming_both()
    {
        var database = await DatabaseAsync();
        await PostgresConnection.ClaimMinerAsync(database, 1000, CancellationToken.None);
        await PostgresConnection.ClaimMinerAsync(database, 1000, CancellationToken.None); // the same miner again

        var e = await Assert.ThrowsAsync<StoresException>(() => PostgresConnection.ClaimMinerAsync(database, 1001, CancellationToken.None));
        Assert.Contains("holds the state of miner f01000", e.Message, StringComparison.Ordinal);
        Assert.Contains("configured as f01001", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_repos_SQLite_index_copies_into_PostgreSQL_with_the_same_answers_and_a_second_copy_changes_nothing()
    {
        var a = new StorageId("aaaaaaaa-0000-0000-0000-000000000001");
        var b = new StorageId("bbbbbbbb-0000-0000-0000-000000000002");
        var ct = CancellationToken.None;
        await using var sqlite = await SqlSectorIndex.OpenSqliteAsync(_dir.Sub("index.sqlite"));
        var stat = new FsStat(1L << 40, 1L << 39, 1L << 39, 0, 0, 0);
        await sqlite.StorageAttachAsync(new StorageInfo(a, ["http://a/remote"], 10, 0, true, false, ["g"], null, null, null, null, null), stat, ct);
        await sqlite.StorageAttachAsync(new StorageInfo(b, ["http://b/remote"], 5, 0, false, true, null, null, null, null, null, null), stat, ct);
        for (ulong n = 1; n <= 300; n++)
        {
            await sqlite.StorageDeclareSectorAsync(n % 2 == 0 ? a : b, new SectorId(1000, n), SectorFileType.Sealed | SectorFileType.Cache, n % 3 != 0, ct);
        }

        await using var postgres = await SqlSectorIndex.OpenPostgresAsync(await DatabaseAsync());
        var (paths, declarations) = await postgres.CopyFromAsync(sqlite, null, ct);
        var again = await postgres.CopyFromAsync(sqlite, null, ct);

        Assert.Equal((2, 600L), (paths, declarations));
        Assert.Equal((2, 600L), again);
        Assert.Equal(Json(await sqlite.StorageListAsync(ct)), Json(await postgres.StorageListAsync(ct)));
        Assert.Equal(Json(await sqlite.StorageInfoAsync(a, ct)), Json(await postgres.StorageInfoAsync(a, ct)));
        var sector = new SectorId(1000, 7);
        Assert.Equal(
            Json(await sqlite.StorageFindSectorAsync(sector, SectorFileType.Sealed | SectorFileType.Cache, 2048, false, ct)),
            Json(await postgres.StorageFindSectorAsync(sector, SectorFileType.Sealed | SectorFileType.Cache, 2048, false, ct)));
    }

    private static string Json<T>(T value) => System.Text.Json.JsonSerializer.Serialize(value, ApiJson.Options);
}
