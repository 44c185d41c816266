using Dapper;
using Kiln.Miner.Repo;
using Kiln.Stores.Sqlite;
using Microsoft.Data.Sqlite;

namespace Kiln.Miner.Proving;

/// <summary>The last Window PoSt per deadline, in the miner's SQLite <c>deadlines</c> table.</summary>
public sealed class DeadlineStore : IAsyncDisposable
{
    private const string Columns =
        "idx AS Idx, open_epoch AS OpenEpoch, sectors AS Sectors, skipped AS Skipped, partitions AS Partitions, proven_ms AS ProvenMs, outcome AS Outcome, error AS Error";

    private readonly SqliteConnection _db;
    private readonly SemaphoreSlim _gate = new(1, 1);

    private DeadlineStore(SqliteConnection db) => _db = db;

    public static async Task<DeadlineStore> OpenAsync(string databasePath, CancellationToken ct)
    {
        var db = await SqliteDatabase.OpenAsync(
            databasePath,
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
            """,
            MinerDatabases.RestoreHint(databasePath),
            ct).ConfigureAwait(false);
        return new DeadlineStore(db);
    }

    public async Task RecordAsync(DeadlineRecord record, CancellationToken ct)
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
    public async Task<IReadOnlyList<DeadlineRecord>> ListAsync(CancellationToken ct)
    {
        var rows = await _db.QueryAsync<Row>(new CommandDefinition($"SELECT {Columns} FROM deadlines ORDER BY idx", cancellationToken: ct)).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToRecord())];
    }

    public async ValueTask DisposeAsync()
    {
        await _db.DisposeAsync().ConfigureAwait(false);
        _gate.Dispose();
    }

    private sealed class Row
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
}
