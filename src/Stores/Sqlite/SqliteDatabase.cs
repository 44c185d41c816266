using System.Runtime.CompilerServices;
using Dapper;
using Kiln.Api;
using Microsoft.Data.Sqlite;

namespace Kiln.Stores.Sqlite;

/// <summary>
/// The one way Kiln opens its SQLite files (the miner's databases, the sector index, the worker's call tracker). The
/// file is checked first (<see cref="SqliteFiles.PrepareAsync"/>): a missing file is created atomically, a zero-length
/// or malformed one throws <see cref="DatabaseDamagedException"/> naming the file, its backup and how to restore it,
/// never a silently recreated empty database. The file (and its <c>-wal</c>/<c>-shm</c>) is narrowed to mode 0600.
/// Every connection runs in WAL mode with <see cref="ConnectionPragmas"/>: a busy timeout, full synchronous
/// commits and foreign keys enforced.
/// </summary>
public static class SqliteDatabase
{
    /// <summary>Kept in the file once set: every later connection reads in WAL mode.</summary>
    private const string JournalMode = "PRAGMA journal_mode = WAL;\n";

    /// <summary>The SQLite handles that have <see cref="ConnectionPragmas"/> set (a handle outlives its pooled connections).</summary>
    private static readonly ConditionalWeakTable<object, object> Prepared = new();

    private static readonly object Marker = new();

    /// <summary>How long a statement waits for another connection's lock before failing with <c>SQLITE_BUSY</c>.</summary>
    public static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// What every connection sets when it opens (these pragmas hold per connection): wait up to
    /// <see cref="BusyTimeout"/> for a lock, sync the WAL on every commit (a recorded call or sector state survives a
    /// power cut), enforce foreign keys.
    /// </summary>
    public static readonly string ConnectionPragmas =
        $"PRAGMA busy_timeout = {(long)BusyTimeout.TotalMilliseconds}; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;";

    /// <summary>
    /// Opens the database at <paramref name="path"/> on one connection, after checking (or creating) the file, and runs
    /// <paramref name="schema"/> on it (<c>CREATE TABLE IF NOT EXISTS ...</c>). <paramref name="restoreHint"/> tells
    /// the operator how to restore a damaged file (e.g. <c>kiln-miner db restore works</c>).
    /// </summary>
    /// <exception cref="DatabaseDamagedException">The file is empty, not a database, or fails <c>quick_check</c>.</exception>
    public static async Task<SqliteConnection> OpenAsync(string path, string schema, string restoreHint, CancellationToken ct)
    {
        var connectionString = await PrepareAsync(path, restoreHint, pooled: false, ct).ConfigureAwait(false);
        var db = await ConnectAsync(connectionString, ct).ConfigureAwait(false);
        try
        {
            await db.ExecuteAsync(new CommandDefinition(JournalMode + schema, cancellationToken: ct)).ConfigureAwait(false);
            return db;
        }
        catch
        {
            await db.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// For a database used through a pool of short connections (<see cref="ConnectAsync"/> per operation): checks (or
    /// creates) the file at <paramref name="path"/>, runs <paramref name="schema"/> once, and returns the pooled
    /// connection string to connect with.
    /// </summary>
    /// <exception cref="DatabaseDamagedException">The file is empty, not a database, or fails <c>quick_check</c>.</exception>
    public static async Task<string> OpenPooledAsync(string path, string schema, string restoreHint, CancellationToken ct)
    {
        var connectionString = await PrepareAsync(path, restoreHint, pooled: true, ct).ConfigureAwait(false);
        var db = await ConnectAsync(connectionString, ct).ConfigureAwait(false);
        await using var dbScope = db.ConfigureAwait(false);
        await db.ExecuteAsync(new CommandDefinition(JournalMode + schema, cancellationToken: ct)).ConfigureAwait(false);
        return connectionString;
    }

    /// <summary>Opens a connection to a database prepared by <see cref="OpenPooledAsync"/> and sets <see cref="ConnectionPragmas"/>.</summary>
    public static async Task<SqliteConnection> ConnectAsync(string connectionString, CancellationToken ct)
    {
        var db = new SqliteConnection(connectionString);
        try
        {
            await db.OpenAsync(ct).ConfigureAwait(false);
            // A pooled connection keeps its SQLite handle, and the handle its pragmas: set them once per handle.
            if (db.Handle is not { } handle || !Prepared.TryGetValue(handle, out _))
            {
                await db.ExecuteAsync(new CommandDefinition(ConnectionPragmas, cancellationToken: ct)).ConfigureAwait(false);
                if (db.Handle is { } opened)
                {
                    Prepared.AddOrUpdate(opened, Marker);
                }
            }

            return db;
        }
        catch
        {
            await db.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Closes the idle pooled connections of <paramref name="connectionString"/> (so the file can be moved or deleted).</summary>
    public static void ClearPool(string connectionString)
    {
        using var c = new SqliteConnection(connectionString);
        SqliteConnection.ClearPool(c);
    }


    private static async Task<string> PrepareAsync(string path, string restoreHint, bool pooled, CancellationToken ct)
    {
        await SqliteFiles.PrepareAsync(path, restoreHint, ct).ConfigureAwait(false);
        var full = Path.GetFullPath(path);
        foreach (var file in new[] { full, full + "-wal", full + "-shm" })
        {
            if (File.Exists(file))
            {
                // Files an older version created with the default umask; SQLite gives new -wal/-shm the database's mode.
                PrivateFiles.Narrow(file);
            }
        }

        return new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadWrite,
            Cache = SqliteCacheMode.Private,
            Pooling = pooled,
            DefaultTimeout = (int)BusyTimeout.TotalSeconds,
        }.ToString();
    }
}
