using System.Text.Json;
using Dapper;
using Kiln.Api.Types;
using Kiln.Stores.Sqlite;
using Microsoft.Data.Sqlite;

namespace Kiln.Stores.Index;

/// <summary>
/// The sector index in a SQLite file (WAL), so that paths and declarations survive a miner restart. Same answers as
/// <see cref="MemSectorIndex"/>: both hand their data to the same rules. Every write runs in one transaction, shared
/// with the writes that arrive meanwhile (<see cref="SqliteGroupCommit"/>): a redeclaration storm after a restart
/// costs one WAL sync per group, not per declaration, and each declaration is acknowledged only once on disk.
/// </summary>
public sealed class SqliteSectorIndex : ISectorIndex, IDisposable, IAsyncDisposable
{
    private const string Schema = """
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

    private readonly string _connectionString;
    private readonly TimeProvider _time;
    private readonly SqliteGroupCommit _commit;

    private SqliteSectorIndex(string connectionString, TimeProvider time, bool groupCommit)
    {
        _connectionString = connectionString;
        _time = time;
        _commit = new SqliteGroupCommit(connectionString, groupCommit ? SqliteGroupCommit.MaxGroup : 1);
    }

    /// <summary>Write transactions committed so far, and the writes they carried (group commit at work).</summary>
    public (long Transactions, long Writes) Commits => (_commit.Groups, _commit.Writes);

    /// <summary>
    /// Opens (creating when needed) the index database at <paramref name="file"/>, after checking it: a zero-length or
    /// malformed file throws <see cref="DatabaseDamagedException"/> rather than becoming an empty index.
    /// </summary>
    public static Task<SqliteSectorIndex> OpenAsync(string file, TimeProvider? time = null, CancellationToken ct = default) =>
        OpenAsync(file, time, groupCommit: true, ct);

    /// <summary><see cref="OpenAsync(string, TimeProvider?, CancellationToken)"/>; without <paramref name="groupCommit"/> every write is its own transaction (the baseline <c>bench index</c> compares against).</summary>
    public static async Task<SqliteSectorIndex> OpenAsync(string file, TimeProvider? time, bool groupCommit, CancellationToken ct)
    {
        var cs = await SqliteDatabase.OpenPooledAsync(file, Schema, "kiln-miner db restore " + Path.GetFileNameWithoutExtension(file), ct).ConfigureAwait(false);
        return new SqliteSectorIndex(cs, time ?? TimeProvider.System, groupCommit);
    }

    /// <summary>Finishes the writes already queued, then closes the pool.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Finishes the writes already queued, then closes the pool.</summary>
    public async ValueTask DisposeAsync()
    {
        await _commit.DisposeAsync().ConfigureAwait(false);
        SqliteDatabase.ClearPool(_connectionString);
    }

    public Task StorageAttachAsync(StorageInfo info, FsStat stat, CancellationToken ct) =>
        WriteAsync(async (c, tx) =>
        {
            var existing = await LoadPathAsync(c, tx, info.ID, ct).ConfigureAwait(false);
            var entry = existing is null ? IndexRules.NewPath(info, stat, _time.GetUtcNow()) : IndexRules.Merge(existing, info);
            await SavePathAsync(c, tx, entry, ct).ConfigureAwait(false);
        }, ct);

    public Task StorageDetachAsync(StorageId id, string url, CancellationToken ct) =>
        WriteAsync(async (c, tx) =>
        {
            var kept = IndexRules.Detach(await GetPathAsync(c, tx, id, ct).ConfigureAwait(false), url);
            if (kept is not null)
            {
                await SavePathAsync(c, tx, kept, ct).ConfigureAwait(false);
                return;
            }

            await c.ExecuteAsync(new CommandDefinition(
                "DELETE FROM paths WHERE id = @id; DELETE FROM decls WHERE storage_id = @id;", new { id = id.Value }, tx, cancellationToken: ct)).ConfigureAwait(false);
        }, ct);

    public async Task<StorageInfo> StorageInfoAsync(StorageId id, CancellationToken ct)
    {
        var c = await ConnectAsync(ct).ConfigureAwait(false);
        await using var cScope = c.ConfigureAwait(false);
        return (await GetPathAsync(c, null, id, ct).ConfigureAwait(false)).Info;
    }

    public Task StorageReportHealthAsync(StorageId id, HealthReport report, CancellationToken ct) =>
        WriteAsync(async (c, tx) =>
            await SavePathAsync(c, tx, IndexRules.ReportHealth(await GetPathAsync(c, tx, id, ct).ConfigureAwait(false), report, _time.GetUtcNow()), ct).ConfigureAwait(false), ct);

    public Task StorageDeclareSectorAsync(StorageId storageId, SectorId sector, SectorFileType fileType, bool primary, CancellationToken ct) =>
        WriteAsync(async (c, tx) =>
        {
            foreach (var t in SectorFileTypes.AllSet(fileType))
            {
                // A redeclaration only ever upgrades to primary.
                await c.ExecuteAsync(new CommandDefinition(
                    """
                    INSERT INTO decls (miner, number, file_type, storage_id, is_primary) VALUES (@miner, @number, @type, @id, @primary)
                    ON CONFLICT (miner, number, file_type, storage_id) DO UPDATE SET is_primary = is_primary OR excluded.is_primary
                    """,
                    new { miner = Db(sector.Miner), number = Db(sector.Number), type = (int)t, id = storageId.Value, primary },
                    tx,
                    cancellationToken: ct)).ConfigureAwait(false);
            }
        }, ct);

    public Task StorageDropSectorAsync(StorageId storageId, SectorId sector, SectorFileType fileType, CancellationToken ct) =>
        WriteAsync(async (c, tx) =>
        {
            foreach (var t in SectorFileTypes.AllSet(fileType))
            {
                await c.ExecuteAsync(new CommandDefinition(
                    "DELETE FROM decls WHERE miner = @miner AND number = @number AND file_type = @type AND storage_id = @id",
                    new { miner = Db(sector.Miner), number = Db(sector.Number), type = (int)t, id = storageId.Value },
                    tx,
                    cancellationToken: ct)).ConfigureAwait(false);
            }
        }, ct);

    public async Task<IReadOnlyList<SectorStorageInfo>> StorageFindSectorAsync(
        SectorId sector, SectorFileType fileType, ulong sectorSize, bool allowFetch, CancellationToken ct)
    {
        var c = await ConnectAsync(ct).ConfigureAwait(false);
        await using var cScope = c.ConfigureAwait(false);
        using var tx = c.BeginTransaction(deferred: true);
        var rows = await c.QueryAsync<DeclRow>(new CommandDefinition(
            "SELECT miner, number, file_type AS FileType, storage_id AS StorageId, is_primary AS IsPrimary FROM decls WHERE miner = @miner AND number = @number ORDER BY rowid",
            new { miner = Db(sector.Miner), number = Db(sector.Number) },
            tx,
            cancellationToken: ct)).ConfigureAwait(false);
        var paths = (await LoadPathsAsync(c, tx, ct).ConfigureAwait(false)).ToDictionary(p => p.Info.ID);
        return IndexRules.FindSector(sector, fileType, sectorSize, allowFetch, rows.Select(r => r.ToDecl()), paths, _time.GetUtcNow());
    }

    public async Task<IReadOnlyList<StorageInfo>> StorageBestAllocAsync(
        SectorFileType fileType, ulong sectorSize, PathType pathType, ulong miner, CancellationToken ct)
    {
        var c = await ConnectAsync(ct).ConfigureAwait(false);
        await using var cScope = c.ConfigureAwait(false);
        return IndexRules.BestAlloc(fileType, sectorSize, pathType, miner, await LoadPathsAsync(c, null, ct).ConfigureAwait(false), _time.GetUtcNow());
    }

    public async Task<IReadOnlyDictionary<StorageId, IReadOnlyList<Decl>>> StorageListAsync(CancellationToken ct)
    {
        var c = await ConnectAsync(ct).ConfigureAwait(false);
        await using var cScope = c.ConfigureAwait(false);
        using var tx = c.BeginTransaction(deferred: true);
        var ids = await c.QueryAsync<string>(new CommandDefinition("SELECT id FROM paths", transaction: tx, cancellationToken: ct)).ConfigureAwait(false);
        var rows = await c.QueryAsync<DeclRow>(new CommandDefinition(
            "SELECT miner, number, file_type AS FileType, storage_id AS StorageId, is_primary AS IsPrimary FROM decls",
            transaction: tx,
            cancellationToken: ct)).ConfigureAwait(false);
        return IndexRules.List(ids.Select(i => new StorageId(i)), rows.Select(r => (r.Sector, r.ToDecl())));
    }

    private static long Db(ulong value) => unchecked((long)value);

    private Task<SqliteConnection> ConnectAsync(CancellationToken ct) => SqliteDatabase.ConnectAsync(_connectionString, ct);

    /// <summary>
    /// One write, in the next group's transaction (BEGIN IMMEDIATE: the read-modify-write of a path cannot interleave
    /// with another writer; writes of a group run one after another).
    /// </summary>
    private Task WriteAsync(Func<SqliteConnection, SqliteTransaction, Task> write, CancellationToken ct) =>
        _commit.WriteAsync((c, tx, _) => write(c, tx), ct);

    private static async Task<IndexedPath> GetPathAsync(SqliteConnection c, SqliteTransaction? tx, StorageId id, CancellationToken ct) =>
        await LoadPathAsync(c, tx, id, ct).ConfigureAwait(false) ?? throw new StoragePathNotFoundException($"storage '{id}' isn't registered");

    private static async Task<IndexedPath?> LoadPathAsync(SqliteConnection c, SqliteTransaction? tx, StorageId id, CancellationToken ct)
    {
        var row = await c.QuerySingleOrDefaultAsync<PathRow>(new CommandDefinition(
            "SELECT id, info, stat, err, heartbeat FROM paths WHERE id = @id", new { id = id.Value }, tx, cancellationToken: ct)).ConfigureAwait(false);
        return row?.ToPath();
    }

    private static async Task<List<IndexedPath>> LoadPathsAsync(SqliteConnection c, SqliteTransaction? tx, CancellationToken ct)
    {
        var rows = await c.QueryAsync<PathRow>(new CommandDefinition(
            "SELECT id, info, stat, err, heartbeat FROM paths ORDER BY id", transaction: tx, cancellationToken: ct)).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToPath())];
    }

    private static Task SavePathAsync(SqliteConnection c, SqliteTransaction tx, IndexedPath p, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO paths (id, info, stat, err, heartbeat) VALUES (@id, @info, @stat, @err, @heartbeat)
            ON CONFLICT (id) DO UPDATE SET info = excluded.info, stat = excluded.stat, err = excluded.err, heartbeat = excluded.heartbeat
            """,
            new
            {
                id = p.Info.ID.Value,
                info = JsonSerializer.Serialize(p.Info, ApiJson.Options),
                stat = JsonSerializer.Serialize(p.Stat, ApiJson.Options),
                err = p.Err,
                heartbeat = p.LastHeartbeat.UtcTicks,
            },
            tx,
            cancellationToken: ct));

    private sealed record PathRow(string Id, string Info, string Stat, string Err, long Heartbeat)
    {
        public IndexedPath ToPath() => new(
            JsonSerializer.Deserialize<StorageInfo>(Info, ApiJson.Options)!,
            JsonSerializer.Deserialize<FsStat>(Stat, ApiJson.Options),
            Err,
            new DateTimeOffset(Heartbeat, TimeSpan.Zero));
    }

    private sealed record DeclRow(long Miner, long Number, long FileType, string StorageId, long IsPrimary)
    {
        public SectorId Sector => new(unchecked((ulong)Miner), unchecked((ulong)Number));

        public SectorDecl ToDecl() => new((SectorFileType)FileType, new StorageId(StorageId), IsPrimary != 0);
    }
}
