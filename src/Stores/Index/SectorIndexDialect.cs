using System.Data;
using System.Data.Common;
using Dapper;
using Kiln.Stores.Sql;
using Kiln.Stores.Sqlite;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Kiln.Stores.Index;

/// <summary>
/// What differs between the sector index's two databases: how to connect and begin transactions, the tables' names,
/// two SQL spellings, which errors end a whole group commit, and the schema and its version.
/// </summary>
/// <remarks>
/// The PostgreSQL schema keeps to what YugabyteDB's YSQL also has: plain tables with primary keys, a secondary index,
/// a <c>BIGSERIAL</c>, <c>INSERT … ON CONFLICT</c>, <c>SELECT … FOR UPDATE</c>; no advisory locks, no <c>LOCK TABLE</c>,
/// no triggers, no partitioning.
/// </remarks>
public sealed class SectorIndexDialect
{
    /// <summary>The index schema version this kiln-miner writes; a newer database is refused.</summary>
    public const int SchemaVersion = 1;

    private const string SqliteSchema = """
        CREATE TABLE IF NOT EXISTS paths (
            id        TEXT    NOT NULL PRIMARY KEY,
            info      TEXT    NOT NULL,
            stat      TEXT    NOT NULL,
            err       TEXT    NOT NULL,
            heartbeat INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS decls (
            miner      INTEGER NOT NULL,
            number     INTEGER NOT NULL,
            file_type  INTEGER NOT NULL,
            storage_id TEXT    NOT NULL,
            is_primary INTEGER NOT NULL,
            PRIMARY KEY (miner, number, file_type, storage_id)
        );
        CREATE INDEX IF NOT EXISTS decls_by_storage ON decls (storage_id);
        """;

    private const string PostgresSchema = """
        CREATE SCHEMA IF NOT EXISTS sector_index;
        CREATE TABLE IF NOT EXISTS sector_index.paths (
            id        TEXT   NOT NULL PRIMARY KEY,
            info      TEXT   NOT NULL,
            stat      TEXT   NOT NULL,
            err       TEXT   NOT NULL,
            heartbeat BIGINT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS sector_index.decls (
            seq        BIGSERIAL NOT NULL,
            miner      BIGINT    NOT NULL,
            number     BIGINT    NOT NULL,
            file_type  BIGINT    NOT NULL,
            storage_id TEXT      NOT NULL,
            is_primary BIGINT    NOT NULL,
            PRIMARY KEY (miner, number, file_type, storage_id)
        );
        CREATE INDEX IF NOT EXISTS decls_by_storage ON sector_index.decls (storage_id);
        """;

    private readonly Func<CancellationToken, Task<DbConnection>> _connect;
    private readonly Func<DbConnection, bool, CancellationToken, Task<DbTransaction>> _begin;
    private readonly Action _clearPool;

    private SectorIndexDialect(
        string name,
        string paths,
        string decls,
        string greatest,
        string insertionOrder,
        string forUpdate,
        Func<CancellationToken, Task<DbConnection>> connect,
        Func<DbConnection, bool, CancellationToken, Task<DbTransaction>> begin,
        Func<Exception, bool> isFatal,
        Action clearPool)
    {
        Name = name;
        Paths = paths;
        Decls = decls;
        Greatest = greatest;
        InsertionOrder = insertionOrder;
        ForUpdate = forUpdate;
        _connect = connect;
        _begin = begin;
        IsFatal = isFatal;
        _clearPool = clearPool;
    }

    public string Name { get; }

    /// <summary>The storage paths table.</summary>
    public string Paths { get; }

    /// <summary>The declarations table.</summary>
    public string Decls { get; }

    /// <summary>The larger of two values: SQLite's scalar <c>max</c>, PostgreSQL's <c>GREATEST</c>.</summary>
    public string Greatest { get; }

    /// <summary>The declarations in the order they were first made.</summary>
    public string InsertionOrder { get; }

    /// <summary>What locks a row read in a write transaction against another process's writer ("" where the transaction already holds the write lock).</summary>
    public string ForUpdate { get; }

    /// <summary>
    /// Declaration rows in one insert. SQLite runs in process, where one short statement a row is cheapest (binding a
    /// named parameter scans the statement's parameters, so long statements cost the square of their rows); a server
    /// is a round trip away, so PostgreSQL takes 100 rows (500 parameters) a statement.
    /// </summary>
    public int RowsPerStatement { get; private init; } = 1;

    /// <summary>Errors after which nothing of a write transaction can be trusted (I/O, a full disk, a lost connection).</summary>
    public Func<Exception, bool> IsFatal { get; }

    public Task<DbConnection> ConnectAsync(CancellationToken ct) => _connect(ct);

    /// <summary>A write transaction (SQLite <c>BEGIN IMMEDIATE</c>, PostgreSQL read committed with rows locked as read).</summary>
    public Task<DbTransaction> BeginWriteAsync(DbConnection c, CancellationToken ct) => _begin(c, true, ct);

    /// <summary>A read transaction: one snapshot for its queries.</summary>
    public Task<DbTransaction> BeginReadAsync(DbConnection c, CancellationToken ct) => _begin(c, false, ct);

    public void ClearPool() => _clearPool();

    /// <summary>The SQLite file at <paramref name="file"/>, checked and brought to <see cref="SchemaVersion"/> (<c>PRAGMA user_version</c>).</summary>
    public static async Task<SectorIndexDialect> OpenSqliteAsync(string file, CancellationToken ct)
    {
        var cs = await SqliteDatabase.OpenPooledAsync(file, SqliteSchema, "kiln-miner db restore " + Path.GetFileNameWithoutExtension(file), ct).ConfigureAwait(false);
        var c = await SqliteDatabase.ConnectAsync(cs, ct).ConfigureAwait(false);
        await using (c.ConfigureAwait(false))
        {
            var version = await c.ExecuteScalarAsync<long>(new CommandDefinition("PRAGMA user_version", cancellationToken: ct)).ConfigureAwait(false);
            if (version > SchemaVersion)
            {
                SqliteDatabase.ClearPool(cs);
                throw new StoresException($"the sector index {file} has schema version {version}; this kiln-miner knows versions up to {SchemaVersion}: run a newer kiln-miner");
            }

            await c.ExecuteAsync(new CommandDefinition($"PRAGMA user_version = {SchemaVersion}", cancellationToken: ct)).ConfigureAwait(false);
        }

        return new SectorIndexDialect(
            "sqlite",
            "paths",
            "decls",
            "max",
            "rowid",
            "",
            async t => await SqliteDatabase.ConnectAsync(cs, t).ConfigureAwait(false),
            (c, write, _) => Task.FromResult<DbTransaction>(((SqliteConnection)c).BeginTransaction(deferred: !write)),
            e => e is SqliteException { SqliteErrorCode: 10 or 13 }, // SQLITE_IOERR, SQLITE_FULL
            () => SqliteDatabase.ClearPool(cs));
    }

    /// <summary>
    /// The PostgreSQL database of <paramref name="connectionString"/> (Npgsql keywords or a <c>postgres://</c> URL), its
    /// index schema applied (recorded in <c>kiln_schema</c>); a newer schema is refused.
    /// </summary>
    /// <exception cref="StoresException">The database cannot be reached, or its schema is newer than this kiln-miner's.</exception>
    public static async Task<SectorIndexDialect> OpenPostgresAsync(string connectionString, CancellationToken ct)
    {
        var source = NpgsqlDataSource.Create(PostgresConnection.Normalize(connectionString));
        try
        {
            await PostgresConnection.MigrateAsync(source, "sector_index", SchemaVersion, [PostgresSchema], ct).ConfigureAwait(false);
        }
        catch
        {
            await source.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new SectorIndexDialect(
            "postgres",
            "sector_index.paths",
            "sector_index.decls",
            "GREATEST",
            "seq",
            " FOR UPDATE",
            async t => await source.OpenConnectionAsync(t).ConfigureAwait(false),
            async (c, write, t) => await c.BeginTransactionAsync(write ? IsolationLevel.ReadCommitted : IsolationLevel.RepeatableRead, t).ConfigureAwait(false),
            e => e is NpgsqlException and not PostgresException, // the connection, not the statement
            source.Dispose)
        {
            RowsPerStatement = 100,
        };
    }
}
