using Dapper;
using Kiln.Miner.Repo;
using Kiln.Stores.Sqlite;
using Microsoft.Data.Sqlite;

namespace Kiln.Miner.Proving;

/// <summary>
/// The miner's PoSt history in one SQLite file (<c>deadlines.sqlite</c> in the repo): the last Window PoSt outcome of
/// each deadline (<c>deadlines</c>) and the steps of every Window PoSt deadline and Winning PoSt round
/// (<c>post_timeline</c>). The CLI, the dashboard and the <c>proving</c> RPC read both from here.
/// </summary>
/// <remarks>
/// Older miners kept the timeline in the job tracker's <c>jobs.sqlite</c>. Opening the history copies that table's
/// rows once (recorded in <c>post_migrations</c>) and leaves the old table as it was, so nothing is lost and an older
/// miner still finds its data.
/// </remarks>
public sealed class PoStHistory : IAsyncDisposable
{
    /// <summary>The file, next to this one, that held <c>post_timeline</c> before the history had it.</summary>
    public const string LegacyTimelineDatabase = "jobs.sqlite";

    private const string DeadlineColumns =
        "idx AS Idx, open_epoch AS OpenEpoch, sectors AS Sectors, skipped AS Skipped, partitions AS Partitions, proven_ms AS ProvenMs, outcome AS Outcome, error AS Error";

    private const string TimelineFields = "proof, epoch, deadline, phase, partition, host, worker, start_us, end_us, sectors, outcome, detail";

    private const string TimelineColumns =
        "proof AS Proof, epoch AS Epoch, deadline AS Deadline, phase AS Phase, partition AS Partition, host AS Host, worker AS Worker, "
        + "start_us AS StartUs, end_us AS EndUs, sectors AS Sectors, outcome AS Outcome, detail AS Detail";

    private const string Schema =
        """
        CREATE TABLE IF NOT EXISTS deadlines (
            idx INTEGER PRIMARY KEY,
            open_epoch INTEGER NOT NULL,
            sectors INTEGER NOT NULL,
            skipped INTEGER NOT NULL,
            partitions INTEGER NOT NULL,
            proven_ms INTEGER NOT NULL,
            outcome TEXT NOT NULL,
            error TEXT NULL
        );
        CREATE TABLE IF NOT EXISTS post_timeline (
            proof TEXT NOT NULL,
            epoch INTEGER NOT NULL,
            deadline INTEGER NOT NULL,
            phase TEXT NOT NULL,
            partition INTEGER NULL,
            host TEXT NOT NULL,
            worker TEXT NOT NULL,
            start_us INTEGER NOT NULL,
            end_us INTEGER NOT NULL,
            sectors INTEGER NOT NULL,
            outcome TEXT NOT NULL,
            detail TEXT NULL
        );
        CREATE INDEX IF NOT EXISTS post_timeline_proof ON post_timeline (proof, deadline, epoch);
        CREATE TABLE IF NOT EXISTS post_migrations (
            source TEXT PRIMARY KEY,
            rows INTEGER NOT NULL,
            migrated_ms INTEGER NOT NULL
        );
        """;

    private readonly SqliteConnection _db;
    private readonly SemaphoreSlim _gate = new(1, 1);

    private PoStHistory(SqliteConnection db) => _db = db;

    /// <summary>
    /// Opens (or creates) the history at <paramref name="databasePath"/> and copies, once, the PoSt timeline an older
    /// miner left in <see cref="LegacyTimelineDatabase"/> beside it.
    /// </summary>
    public static async Task<PoStHistory> OpenAsync(string databasePath, TimeProvider time, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(time);
        var db = await SqliteDatabase.OpenAsync(databasePath, Schema, MinerDatabases.RestoreHint(databasePath), ct).ConfigureAwait(false);
        try
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(databasePath))!;
            await MigrateTimelineAsync(db, Path.Combine(directory, LegacyTimelineDatabase), time, ct).ConfigureAwait(false);
            return new PoStHistory(db);
        }
        catch
        {
            await db.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Replaces the last outcome of <paramref name="record"/>'s deadline.</summary>
    public async Task RecordDeadlineAsync(DeadlineRecord record, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(record);
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await _db.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO deadlines (idx, open_epoch, sectors, skipped, partitions, proven_ms, outcome, error)
                VALUES (@Index, @OpenEpoch, @Sectors, @Skipped, @Partitions, @ProvenMs, @Outcome, @Error)
                ON CONFLICT (idx) DO UPDATE SET open_epoch = excluded.open_epoch, sectors = excluded.sectors, skipped = excluded.skipped,
                    partitions = excluded.partitions, proven_ms = excluded.proven_ms, outcome = excluded.outcome, error = excluded.error
                """,
                new { record.Index, record.OpenEpoch, record.Sectors, record.Skipped, record.Partitions, ProvenMs = record.Proven.ToUnixTimeMilliseconds(), record.Outcome, record.Error },
                cancellationToken: ct)).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Every deadline proven at least once, by index.</summary>
    public async Task<IReadOnlyList<DeadlineRecord>> ListDeadlinesAsync(CancellationToken ct)
    {
        var rows = await _db.QueryAsync<DeadlineRow>(new CommandDefinition($"SELECT {DeadlineColumns} FROM deadlines ORDER BY idx", cancellationToken: ct)).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToRecord())];
    }

    /// <summary>
    /// Stores the steps of one PoSt proof (a deadline or a winning round). A deadline proven again at the same open
    /// epoch replaces its earlier timeline.
    /// </summary>
    public async Task RecordTimelineAsync(IReadOnlyList<PoStTimelineEntry> entries, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return;
        }

        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            using var tx = _db.BeginTransaction();
            foreach (var key in entries.Select(e => (e.Proof, e.Epoch, e.Deadline)).Distinct())
            {
                await _db.ExecuteAsync(new CommandDefinition(
                    "DELETE FROM post_timeline WHERE proof = @Proof AND epoch = @Epoch AND deadline = @Deadline",
                    new { key.Proof, key.Epoch, key.Deadline },
                    tx,
                    cancellationToken: ct)).ConfigureAwait(false);
            }

            await _db.ExecuteAsync(new CommandDefinition(
                $"""
                INSERT INTO post_timeline ({TimelineFields})
                VALUES (@Proof, @Epoch, @Deadline, @Phase, @Partition, @Host, @Worker, @StartUs, @EndUs, @Sectors, @Outcome, @Detail)
                """,
                entries.Select(e => new
                {
                    e.Proof,
                    e.Epoch,
                    e.Deadline,
                    e.Phase,
                    e.Partition,
                    e.Host,
                    Worker = e.Worker.ToString(),
                    StartUs = Micros(e.Start),
                    EndUs = Micros(e.End),
                    e.Sectors,
                    e.Outcome,
                    e.Detail,
                }),
                tx,
                cancellationToken: ct)).ConfigureAwait(false);
            tx.Commit();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// The timeline of the newest proof of <paramref name="deadline"/> (-1: the newest winning round) of
    /// <paramref name="proof"/>, in the order its steps started; empty when it was never proven.
    /// </summary>
    public async Task<IReadOnlyList<PoStTimelineEntry>> LatestTimelineAsync(string proof, int deadline, CancellationToken ct)
    {
        var rows = await _db.QueryAsync<TimelineRow>(new CommandDefinition(
            $"""
            SELECT {TimelineColumns} FROM post_timeline
            WHERE proof = @Proof AND deadline = @Deadline
              AND epoch = (SELECT MAX(epoch) FROM post_timeline WHERE proof = @Proof AND deadline = @Deadline)
            ORDER BY start_us, rowid
            """,
            new { Proof = proof, Deadline = deadline },
            cancellationToken: ct)).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToEntry())];
    }

    /// <summary>The whole-deadline step (<c>deadline</c> phase) of each deadline's newest Window PoSt, by deadline index.</summary>
    public async Task<IReadOnlyDictionary<int, PoStTimelineEntry>> LatestDeadlinesAsync(CancellationToken ct)
    {
        var rows = await _db.QueryAsync<TimelineRow>(new CommandDefinition(
            $"""
            SELECT {TimelineColumns} FROM post_timeline t
            WHERE proof = 'window' AND phase = 'deadline'
              AND epoch = (SELECT MAX(epoch) FROM post_timeline u WHERE u.proof = 'window' AND u.deadline = t.deadline)
            """,
            cancellationToken: ct)).ConfigureAwait(false);
        return rows.Select(r => r.ToEntry()).GroupBy(e => e.Deadline).ToDictionary(g => g.Key, g => g.Last());
    }

    public async ValueTask DisposeAsync()
    {
        await _db.DisposeAsync().ConfigureAwait(false);
        _gate.Dispose();
    }

    /// <summary>
    /// Copies <c>post_timeline</c> from <paramref name="legacyPath"/> when that file exists and was not copied before;
    /// the copy and its record in <c>post_migrations</c> commit together. The legacy file is only read.
    /// </summary>
    private static async Task MigrateTimelineAsync(SqliteConnection db, string legacyPath, TimeProvider time, CancellationToken ct)
    {
        var source = LegacyTimelineDatabase + ":post_timeline";
        if (!File.Exists(legacyPath)
            || await db.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM post_migrations WHERE source = @Source", new { Source = source }, cancellationToken: ct)).ConfigureAwait(false) > 0)
        {
            return;
        }

        // ATTACH cannot run inside a transaction; the copy itself is one.
        await db.ExecuteAsync(new CommandDefinition("ATTACH DATABASE @Path AS legacy", new { Path = legacyPath }, cancellationToken: ct)).ConfigureAwait(false);
        try
        {
            using var tx = db.BeginTransaction();
            var hasTable = await db.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT COUNT(*) FROM legacy.sqlite_master WHERE type = 'table' AND name = 'post_timeline'", transaction: tx, cancellationToken: ct)).ConfigureAwait(false) > 0;
            var rows = hasTable
                ? await db.ExecuteAsync(new CommandDefinition(
                    $"INSERT INTO post_timeline ({TimelineFields}) SELECT {TimelineFields} FROM legacy.post_timeline ORDER BY rowid", transaction: tx, cancellationToken: ct)).ConfigureAwait(false)
                : 0;
            await db.ExecuteAsync(new CommandDefinition(
                "INSERT INTO post_migrations (source, rows, migrated_ms) VALUES (@Source, @Rows, @Now)",
                new { Source = source, Rows = rows, Now = time.GetUtcNow().ToUnixTimeMilliseconds() },
                tx,
                cancellationToken: ct)).ConfigureAwait(false);
            tx.Commit();
        }
        catch (SqliteException e)
        {
            throw new InvalidOperationException($"copying the PoSt timeline from {legacyPath} into the PoSt history failed: {e.Message}", e);
        }
        finally
        {
            await db.ExecuteAsync(new CommandDefinition("DETACH DATABASE legacy", cancellationToken: ct)).ConfigureAwait(false);
        }
    }

    private static long Micros(DateTimeOffset t) => (t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;

    private static DateTimeOffset FromMicros(long us) => DateTimeOffset.UnixEpoch.AddTicks(us * TimeSpan.TicksPerMicrosecond);

    private sealed class DeadlineRow
    {
        public long Idx { get; set; }

        public long OpenEpoch { get; set; }

        public long Sectors { get; set; }

        public long Skipped { get; set; }

        public long Partitions { get; set; }

        public long ProvenMs { get; set; }

        public string Outcome { get; set; } = string.Empty;

        public string? Error { get; set; }

        public DeadlineRecord ToRecord() =>
            new((int)Idx, OpenEpoch, (int)Sectors, (int)Skipped, (int)Partitions, DateTimeOffset.FromUnixTimeMilliseconds(ProvenMs), Outcome, Error);
    }

    private sealed class TimelineRow
    {
        public string Proof { get; set; } = string.Empty;

        public long Epoch { get; set; }

        public long Deadline { get; set; }

        public string Phase { get; set; } = string.Empty;

        public long? Partition { get; set; }

        public string Host { get; set; } = string.Empty;

        public string Worker { get; set; } = string.Empty;

        public long StartUs { get; set; }

        public long EndUs { get; set; }

        public long Sectors { get; set; }

        public string Outcome { get; set; } = string.Empty;

        public string? Detail { get; set; }

        public PoStTimelineEntry ToEntry() =>
            new(Proof, Epoch, (int)Deadline, Phase, Partition is { } p ? (int)p : null, Host, Guid.Parse(Worker), FromMicros(StartUs), FromMicros(EndUs), (int)Sectors, Outcome, Detail);
    }
}
