using System.Runtime.Versioning;
using Dapper;
using Kiln.Stores.Sqlite;

namespace Kiln.Stores.Tests.Sqlite;

/// <summary>The one SQLite opener: its file checks, its pragmas on every connection, and the files' 0600 mode.</summary>
public sealed class SqliteDatabaseTests : IDisposable
{
    private const string Schema = "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY);";

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-sqlite-").FullName;

    private string File1 => Path.Combine(_dir, "test.sqlite");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_new_database_is_WAL_with_busy_timeout_full_sync_and_foreign_keys()
    {
        await using var db = await SqliteDatabase.OpenAsync(File1, Schema, "restore it", CancellationToken.None);

        Assert.Equal("wal", await db.ExecuteScalarAsync<string>("PRAGMA journal_mode"));
        Assert.Equal((long)SqliteDatabase.BusyTimeout.TotalMilliseconds, await db.ExecuteScalarAsync<long>("PRAGMA busy_timeout"));
        Assert.Equal(2, await db.ExecuteScalarAsync<long>("PRAGMA synchronous"));
        Assert.Equal(1, await db.ExecuteScalarAsync<long>("PRAGMA foreign_keys"));
        Assert.Equal(0, await db.ExecuteScalarAsync<long>("SELECT count(*) FROM t"));
    }

    [Fact]
    public async Task Every_pooled_connection_gets_the_pragmas()
    {
        var cs = await SqliteDatabase.OpenPooledAsync(File1, Schema, "restore it", CancellationToken.None);
        try
        {
            for (var i = 0; i < 2; i++)
            {
                await using var c = await SqliteDatabase.ConnectAsync(cs, CancellationToken.None);
                Assert.Equal(1, await c.ExecuteScalarAsync<long>("PRAGMA foreign_keys"));
                Assert.Equal("wal", await c.ExecuteScalarAsync<string>("PRAGMA journal_mode"));
                Assert.Equal(0, await c.ExecuteScalarAsync<long>("SELECT count(*) FROM t"));
            }
        }
        finally
        {
            SqliteDatabase.ClearPool(cs);
        }
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public async Task A_new_database_is_readable_by_its_owner_only()
    {
        await using (var db = await SqliteDatabase.OpenAsync(File1, Schema, "restore it", CancellationToken.None))
        {
            await db.ExecuteAsync("INSERT INTO t (id) VALUES (1)");
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(File1));
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(File1 + "-wal"));
        }
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public async Task An_existing_world_readable_database_is_narrowed_when_opened()
    {
        await (await SqliteDatabase.OpenAsync(File1, Schema, "restore it", CancellationToken.None)).DisposeAsync();
        File.SetUnixFileMode(File1, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        await (await SqliteDatabase.OpenAsync(File1, Schema, "restore it", CancellationToken.None)).DisposeAsync();

        Assert.Equal(OwnerOnly, File.GetUnixFileMode(File1));
    }

    [Fact]
    public async Task A_zero_length_file_is_refused_with_the_restore_hint()
    {
        await File.WriteAllBytesAsync(File1, []);

        var e = await Assert.ThrowsAsync<DatabaseDamagedException>(() => SqliteDatabase.OpenAsync(File1, Schema, "restore it", CancellationToken.None));

        Assert.Equal(File1, e.Path);
        Assert.Contains("file is empty (0 bytes)", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, new FileInfo(File1).Length);
    }
}
