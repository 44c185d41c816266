using System.Data.Common;
using System.Text.Json;
using Dapper;
using Kiln.Api.Types;
using Kiln.Stores.Sql;

namespace Kiln.Stores.Index;

/// <summary>
/// The sector index in a database, so that paths and declarations survive a miner restart: a SQLite file (WAL) in
/// the miner's repo by default, or PostgreSQL (<see cref="SectorIndexDialect"/>). Same answers as
/// <see cref="MemSectorIndex"/>: both hand their data to the same rules. Every write runs in one transaction, shared
/// with the writes that arrive meanwhile (<see cref="GroupCommit"/>): a redeclaration storm after a restart costs one
/// log sync per group, not per declaration, and each declaration is acknowledged only once on disk. Lookups go by
/// primary key (miner, sector number), so they stay flat as the table grows.
/// </summary>
public sealed class SqlSectorIndex : ISectorIndex, IDisposable, IAsyncDisposable
{
    private readonly SectorIndexDialect _sql;
    private readonly TimeProvider _time;
    private readonly GroupCommit _commit;
    private readonly BatchedWrite<Declaration> _declare;

    private SqlSectorIndex(SectorIndexDialect sql, TimeProvider time, bool groupCommit)
    {
        _sql = sql;
        _time = time;
        _commit = new GroupCommit(sql.ConnectAsync, sql.BeginWriteAsync, sql.IsFatal, groupCommit ? GroupCommit.MaxGroup : 1);
        _declare = new BatchedWrite<Declaration>(DeclareAsync);
    }


    /// <summary>Write transactions committed so far, and the writes they carried (group commit at work).</summary>
    public (long Transactions, long Writes) Commits => (_commit.Groups, _commit.Writes);

    /// <summary>Which database this index is in ("sqlite", "postgres").</summary>
    public string Backend => _sql.Name;

    /// <summary>
    /// Opens (creating when needed) the index database at <paramref name="file"/>, after checking it: a zero-length or
    /// malformed file throws <see cref="Sqlite.DatabaseDamagedException"/> rather than becoming an empty index.
    /// </summary>
    public static Task<SqlSectorIndex> OpenSqliteAsync(string file, TimeProvider? time = null, CancellationToken ct = default) =>
        OpenSqliteAsync(file, time, groupCommit: true, ct);

    /// <summary><see cref="OpenSqliteAsync(string, TimeProvider?, CancellationToken)"/>; without <paramref name="groupCommit"/> every write is its own transaction (the baseline <c>bench index</c> compares against).</summary>
    public static async Task<SqlSectorIndex> OpenSqliteAsync(string file, TimeProvider? time, bool groupCommit, CancellationToken ct) =>
        new(await SectorIndexDialect.OpenSqliteAsync(file, ct).ConfigureAwait(false), time ?? TimeProvider.System, groupCommit);

    /// <summary>
    /// Opens the index in the PostgreSQL database of <paramref name="connectionString"/> (an Npgsql connection string
    /// or a <c>postgres://</c> URL), applying its schema migrations first.
    /// </summary>
    /// <exception cref="StoresException">The database cannot be reached, or its index schema is newer than this kiln-miner.</exception>
    public static Task<SqlSectorIndex> OpenPostgresAsync(string connectionString, TimeProvider? time = null, CancellationToken ct = default) =>
        OpenPostgresAsync(connectionString, time, groupCommit: true, ct);

    /// <summary><see cref="OpenPostgresAsync(string, TimeProvider?, CancellationToken)"/>, with or without group commit.</summary>
    public static async Task<SqlSectorIndex> OpenPostgresAsync(string connectionString, TimeProvider? time, bool groupCommit, CancellationToken ct) =>
        new(await SectorIndexDialect.OpenPostgresAsync(connectionString, ct).ConfigureAwait(false), time ?? TimeProvider.System, groupCommit);

    /// <summary>Finishes the writes already queued, then closes the pool.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Finishes the writes already queued, then closes the pool.</summary>
    public async ValueTask DisposeAsync()
    {
        await _commit.DisposeAsync().ConfigureAwait(false);
        _sql.ClearPool();
    }

    public Task StorageAttachAsync(StorageInfo info, FsStat stat, CancellationToken ct) =>
        WriteAsync(async (c, tx) =>
        {
            var existing = await LoadPathAsync(c, tx, info.ID, forUpdate: true, ct).ConfigureAwait(false);
            var entry = existing is null ? IndexRules.NewPath(info, stat, _time.GetUtcNow()) : IndexRules.Merge(existing, info);
            await SavePathAsync(c, tx, entry, ct).ConfigureAwait(false);
        }, ct);

    public Task StorageDetachAsync(StorageId id, string url, CancellationToken ct) =>
        WriteAsync(async (c, tx) =>
        {
            var kept = IndexRules.Detach(await GetPathAsync(c, tx, id, forUpdate: true, ct).ConfigureAwait(false), url);
            if (kept is not null)
            {
                await SavePathAsync(c, tx, kept, ct).ConfigureAwait(false);
                return;
            }

            await c.ExecuteAsync(new CommandDefinition(
                $"DELETE FROM {_sql.Paths} WHERE id = @id; DELETE FROM {_sql.Decls} WHERE storage_id = @id;", new { id = id.Value }, tx, cancellationToken: ct)).ConfigureAwait(false);
        }, ct);

    public async Task<StorageInfo> StorageInfoAsync(StorageId id, CancellationToken ct)
    {
        var c = await _sql.ConnectAsync(ct).ConfigureAwait(false);
        await using var cScope = c.ConfigureAwait(false);
        return (await GetPathAsync(c, null, id, forUpdate: false, ct).ConfigureAwait(false)).Info;
    }

    public Task StorageReportHealthAsync(StorageId id, HealthReport report, CancellationToken ct) =>
        WriteAsync(async (c, tx) =>
            await SavePathAsync(c, tx, IndexRules.ReportHealth(await GetPathAsync(c, tx, id, forUpdate: true, ct).ConfigureAwait(false), report, _time.GetUtcNow()), ct).ConfigureAwait(false), ct);

    public Task StorageDeclareSectorAsync(StorageId storageId, SectorId sector, SectorFileType fileType, bool primary, CancellationToken ct) =>
        _commit.WriteAsync(_declare, new Declaration(storageId, sector, fileType, primary), ct);

    /// <summary>
    /// Declarations that arrived together, as multi-row upserts: one row per file type, a row repeated within the batch
    /// merged (a redeclaration only ever upgrades to primary, so the order does not matter).
    /// </summary>
    private async Task DeclareAsync(DbConnection c, DbTransaction tx, IReadOnlyList<Declaration> declarations)
    {
        var rows = declarations
            .SelectMany(d => SectorFileTypes.AllSet(d.FileType).Select(t => (Miner: Db(d.Sector.Miner), Number: Db(d.Sector.Number), Type: (long)t, Id: d.Storage.Value, d.Primary)))
            .GroupBy(r => (r.Miner, r.Number, r.Type, r.Id))
            .Select(g => (g.Key.Miner, g.Key.Number, g.Key.Type, g.Key.Id, Primary: g.Any(r => r.Primary)))
            .ToList();
        foreach (var chunk in rows.Chunk(_sql.RowsPerStatement))
        {
            var parameters = new DynamicParameters();
            var values = new System.Text.StringBuilder();
            for (var i = 0; i < chunk.Length; i++)
            {
                var n = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                values.Append(i == 0 ? "" : ", ").Append($"(@m{n}, @n{n}, @t{n}, @s{n}, @p{n})");
                parameters.Add("m" + n, chunk[i].Miner);
                parameters.Add("n" + n, chunk[i].Number);
                parameters.Add("t" + n, chunk[i].Type);
                parameters.Add("s" + n, chunk[i].Id);
                parameters.Add("p" + n, chunk[i].Primary ? 1L : 0L);
            }

            await c.ExecuteAsync(new CommandDefinition(
                $"""
                INSERT INTO {_sql.Decls} (miner, number, file_type, storage_id, is_primary) VALUES {values}
                ON CONFLICT (miner, number, file_type, storage_id) DO UPDATE SET is_primary = {_sql.Greatest}({_sql.Decls}.is_primary, excluded.is_primary)
                """,
                parameters,
                tx)).ConfigureAwait(false);
        }
    }

    public Task StorageDropSectorAsync(StorageId storageId, SectorId sector, SectorFileType fileType, CancellationToken ct) =>
        WriteAsync(async (c, tx) =>
        {
            foreach (var t in SectorFileTypes.AllSet(fileType))
            {
                await c.ExecuteAsync(new CommandDefinition(
                    $"DELETE FROM {_sql.Decls} WHERE miner = @miner AND number = @number AND file_type = @type AND storage_id = @id",
                    new { miner = Db(sector.Miner), number = Db(sector.Number), type = (long)t, id = storageId.Value },
                    tx,
                    cancellationToken: ct)).ConfigureAwait(false);
            }
        }, ct);

    public async Task<IReadOnlyList<SectorStorageInfo>> StorageFindSectorAsync(
        SectorId sector, SectorFileType fileType, ulong sectorSize, bool allowFetch, CancellationToken ct)
    {
        var c = await _sql.ConnectAsync(ct).ConfigureAwait(false);
        await using var cScope = c.ConfigureAwait(false);
        var tx = await _sql.BeginReadAsync(c, ct).ConfigureAwait(false);
        await using var txScope = tx.ConfigureAwait(false);
        var rows = await c.QueryAsync<DeclRow>(new CommandDefinition(
            $"SELECT miner, number, file_type AS FileType, storage_id AS StorageId, is_primary AS IsPrimary FROM {_sql.Decls} WHERE miner = @miner AND number = @number ORDER BY {_sql.InsertionOrder}",
            new { miner = Db(sector.Miner), number = Db(sector.Number) },
            tx,
            cancellationToken: ct)).ConfigureAwait(false);
        var paths = (await LoadPathsAsync(c, tx, ct).ConfigureAwait(false)).ToDictionary(p => p.Info.ID);
        return IndexRules.FindSector(sector, fileType, sectorSize, allowFetch, rows.Select(r => r.ToDecl()), paths, _time.GetUtcNow());
    }

    public async Task<IReadOnlyList<StorageInfo>> StorageBestAllocAsync(
        SectorFileType fileType, ulong sectorSize, PathType pathType, ulong miner, CancellationToken ct)
    {
        var c = await _sql.ConnectAsync(ct).ConfigureAwait(false);
        await using var cScope = c.ConfigureAwait(false);
        return IndexRules.BestAlloc(fileType, sectorSize, pathType, miner, await LoadPathsAsync(c, null, ct).ConfigureAwait(false), _time.GetUtcNow());
    }

    public async Task<IReadOnlyDictionary<StorageId, IReadOnlyList<Decl>>> StorageListAsync(CancellationToken ct)
    {
        var c = await _sql.ConnectAsync(ct).ConfigureAwait(false);
        await using var cScope = c.ConfigureAwait(false);
        var tx = await _sql.BeginReadAsync(c, ct).ConfigureAwait(false);
        await using var txScope = tx.ConfigureAwait(false);
        var ids = await c.QueryAsync<string>(new CommandDefinition($"SELECT id FROM {_sql.Paths}", transaction: tx, cancellationToken: ct)).ConfigureAwait(false);
        var rows = await c.QueryAsync<DeclRow>(new CommandDefinition(
            $"SELECT miner, number, file_type AS FileType, storage_id AS StorageId, is_primary AS IsPrimary FROM {_sql.Decls}",
            transaction: tx,
            cancellationToken: ct)).ConfigureAwait(false);
        return IndexRules.List(ids.Select(i => new StorageId(i)), rows.Select(r => (r.Sector, r.ToDecl())));
    }

    /// <summary>
    /// Copies every storage path (as stored: info, stat, error, last heartbeat) and every declaration of
    /// <paramref name="source"/> into this index: paths replaced, declarations merged (a copy run twice changes nothing).
    /// For <c>kiln-miner db migrate --from-sqlite</c>.
    /// </summary>
    public async Task<(int Paths, long Declarations)> CopyFromAsync(SqlSectorIndex source, IProgress<long>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(source);
        var c = await source._sql.ConnectAsync(ct).ConfigureAwait(false);
        await using var cScope = c.ConfigureAwait(false);
        var paths = (await source.LoadPathsAsync(c, null, ct).ConfigureAwait(false)).ToList();
        foreach (var p in paths)
        {
            await WriteAsync((tc, tx) => SavePathAsync(tc, tx, p, ct), ct).ConfigureAwait(false);
        }

        // In pages, in the order the declarations were made (FindSector answers in that order).
        const int Page = 100_000;
        long copied = 0, last = long.MinValue;
        while (true)
        {
            var rows = (await c.QueryAsync<SeqDeclRow>(new CommandDefinition(
                $"SELECT {source._sql.InsertionOrder} AS Seq, miner, number, file_type AS FileType, storage_id AS StorageId, is_primary AS IsPrimary FROM {source._sql.Decls} WHERE {source._sql.InsertionOrder} > @last ORDER BY {source._sql.InsertionOrder} LIMIT {Page}",
                new { last },
                cancellationToken: ct)).ConfigureAwait(false)).ToList();
            if (rows.Count == 0)
            {
                break;
            }

            await Task.WhenAll(rows.Select(r => _commit.WriteAsync(_declare, new Declaration(new StorageId(r.StorageId), new SectorId(unchecked((ulong)r.Miner), unchecked((ulong)r.Number)), (SectorFileType)r.FileType, r.IsPrimary != 0), ct))).ConfigureAwait(false);
            copied += rows.Count;
            last = rows[^1].Seq;
            progress?.Report(copied);
        }

        return (paths.Count, copied);
    }

    private static long Db(ulong value) => unchecked((long)value);

    /// <summary>One write, in the next group's write transaction (writes of a group run one after another).</summary>
    private Task WriteAsync(Func<DbConnection, DbTransaction, Task> write, CancellationToken ct) =>
        _commit.WriteAsync((c, tx, _) => write(c, tx), ct);

    private async Task<IndexedPath> GetPathAsync(DbConnection c, DbTransaction? tx, StorageId id, bool forUpdate, CancellationToken ct) =>
        await LoadPathAsync(c, tx, id, forUpdate, ct).ConfigureAwait(false) ?? throw new StoragePathNotFoundException($"storage '{id}' isn't registered");

    /// <summary>A path's row; in a write, locked against another process's writer (PostgreSQL <c>FOR UPDATE</c>).</summary>
    private async Task<IndexedPath?> LoadPathAsync(DbConnection c, DbTransaction? tx, StorageId id, bool forUpdate, CancellationToken ct)
    {
        var row = await c.QuerySingleOrDefaultAsync<PathRow>(new CommandDefinition(
            $"SELECT id, info, stat, err, heartbeat FROM {_sql.Paths} WHERE id = @id" + (forUpdate ? _sql.ForUpdate : ""), new { id = id.Value }, tx, cancellationToken: ct)).ConfigureAwait(false);
        return row?.ToPath();
    }

    private async Task<List<IndexedPath>> LoadPathsAsync(DbConnection c, DbTransaction? tx, CancellationToken ct)
    {
        var rows = await c.QueryAsync<PathRow>(new CommandDefinition(
            $"SELECT id, info, stat, err, heartbeat FROM {_sql.Paths} ORDER BY id", transaction: tx, cancellationToken: ct)).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToPath())];
    }

    private Task SavePathAsync(DbConnection c, DbTransaction tx, IndexedPath p, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(
            $"""
            INSERT INTO {_sql.Paths} (id, info, stat, err, heartbeat) VALUES (@id, @info, @stat, @err, @heartbeat)
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

    private sealed record SeqDeclRow(long Seq, long Miner, long Number, long FileType, string StorageId, long IsPrimary);

    /// <summary>One StorageDeclareSector call, queued for the next group.</summary>
    private sealed record Declaration(StorageId Storage, SectorId Sector, SectorFileType FileType, bool Primary);

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
