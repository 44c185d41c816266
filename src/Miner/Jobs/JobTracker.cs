using System.Globalization;
using System.Text;
using Dapper;
using Kiln.Api;
using Kiln.Api.Types;
using Kiln.Miner.Repo;
using Kiln.Stores.Sqlite;
using Microsoft.Data.Sqlite;

namespace Kiln.Miner.Jobs;

/// <summary>
/// Records every task the miner hands to a worker — host, worker, sector, task type, start, end,
/// duration, outcome — in SQLite, and appends each finished task to the day's tab-separated log
/// (<c>HostName Worker Sector TaskType StartTime EndTime Duration</c>) as the seed's job tracker did.
/// </summary>
public sealed class JobTracker : IAsyncDisposable
{
    private const string Columns =
        "call_id AS CallId, host AS Host, worker AS Worker, sector_miner AS SectorMiner, sector_number AS SectorNumber, "
        + "task AS Task, start_ms AS StartMs, end_ms AS EndMs, outcome AS Outcome, error AS Error";

    internal const string LogHeader = "HostName\tWorker\tSector\tTaskType\tStartTime\tEndTime\tDuration";

    private readonly SqliteConnection _db;
    private readonly string? _logDirectory;
    private readonly TimeProvider _time;
    private readonly MinerMetrics? _metrics;
    private readonly SemaphoreSlim _gate = new(1, 1);

    private JobTracker(SqliteConnection db, string? logDirectory, TimeProvider time, MinerMetrics? metrics)
    {
        _db = db;
        _logDirectory = logDirectory;
        _time = time;
        _metrics = metrics;
    }

    /// <summary>
    /// Raised after a job row is written (a task started or finished; a finished task's metrics are recorded first),
    /// outside the tracker's lock. Handlers run on the writer's thread and must not block.
    /// </summary>
    public event Action? Changed;

    public static Task<JobTracker> OpenAsync(JobTrackerOptions options, TimeProvider time, CancellationToken cancellationToken) =>
        OpenAsync(options, time, null, cancellationToken);

    /// <summary>Opens the tracker; with <paramref name="metrics"/>, every finished task is counted and timed there.</summary>
    public static async Task<JobTracker> OpenAsync(JobTrackerOptions options, TimeProvider time, MinerMetrics? metrics, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var db = await SqliteDatabase.OpenAsync(
            options.DatabasePath,
            """
            CREATE TABLE IF NOT EXISTS jobs (
                call_id TEXT PRIMARY KEY,
                host TEXT NOT NULL,
                worker TEXT NOT NULL,
                sector_miner INTEGER NOT NULL,
                sector_number INTEGER NOT NULL,
                task TEXT NOT NULL,
                start_ms INTEGER NOT NULL,
                end_ms INTEGER NULL,
                outcome TEXT NOT NULL,
                error TEXT NULL
            );
            CREATE INDEX IF NOT EXISTS jobs_start ON jobs (start_ms);
            """,
            MinerDatabases.RestoreHint(options.DatabasePath),
            cancellationToken).ConfigureAwait(false);
        if (options.LogDirectory != null)
        {
            Directory.CreateDirectory(options.LogDirectory);
        }

        return new JobTracker(db, options.LogDirectory, time, metrics);
    }

    /// <summary>
    /// Ends the jobs a previous miner process left "Running" that nobody will wait for any more (the
    /// pipeline dispatches those stages again) as Aborted; jobs whose call is in <paramref name="stillAwaited"/>
    /// (persisted works, resumed after the restart) stay open until their result arrives. Returns how many ended.
    /// </summary>
    public async Task<int> AbortOrphansAsync(IReadOnlyCollection<Guid> stillAwaited, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stillAwaited);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var running = await _db.QueryAsync<string>(new CommandDefinition(
                "SELECT call_id FROM jobs WHERE outcome = 'Running'", cancellationToken: cancellationToken)).ConfigureAwait(false);
            var orphans = running.Where(c => !stillAwaited.Contains(Guid.Parse(c))).ToList();
            await _db.ExecuteAsync(new CommandDefinition(
                "UPDATE jobs SET outcome = 'Aborted', error = 'miner restarted', end_ms = @Now WHERE call_id = @CallId AND outcome = 'Running'",
                orphans.Select(c => new { Now = _time.GetUtcNow().ToUnixTimeMilliseconds(), CallId = c }),
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            return orphans.Count;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>A task started on a worker.</summary>
    public async Task StartedAsync(Guid callId, string hostName, Guid workerId, SectorId sector, TaskType task, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _db.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO jobs (call_id, host, worker, sector_miner, sector_number, task, start_ms, outcome)
                VALUES (@CallId, @Host, @Worker, @Miner, @Number, @Task, @Start, 'Running')
                ON CONFLICT (call_id) DO NOTHING
                """,
                new
                {
                    CallId = callId.ToString(),
                    Host = hostName,
                    Worker = workerId.ToString(),
                    Miner = (long)sector.Miner,
                    Number = (long)sector.Number,
                    Task = TaskTypes.Id(task),
                    Start = now.ToUnixTimeMilliseconds(),
                },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }

        Changed?.Invoke();
    }

    /// <summary>A task ended; its row gets end time and outcome, and the day's log a line. Unknown call ids are ignored.</summary>
    public async Task<JobRecord?> FinishedAsync(Guid callId, JobOutcome outcome, string? error, CancellationToken cancellationToken)
    {
        if (outcome == JobOutcome.Running)
        {
            throw new ArgumentException("a finished job needs a final outcome", nameof(outcome));
        }

        var now = _time.GetUtcNow();
        JobRecord? record;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var changed = await _db.ExecuteAsync(new CommandDefinition(
                "UPDATE jobs SET end_ms = @End, outcome = @Outcome, error = @Error WHERE call_id = @CallId AND outcome = 'Running'",
                new { End = now.ToUnixTimeMilliseconds(), Outcome = outcome.ToString(), Error = error, CallId = callId.ToString() },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            record = await GetAsync(callId, cancellationToken).ConfigureAwait(false);
            if (changed == 1 && record != null)
            {
                _metrics?.TaskFinished(record.Task, outcome, record.Duration ?? TimeSpan.Zero);
            }

            if (changed == 1 && record != null && _logDirectory != null)
            {
                await AppendLogAsync(record, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }

        Changed?.Invoke();
        return record;
    }

    public async Task<JobRecord?> GetAsync(Guid callId, CancellationToken cancellationToken)
    {
        var row = await _db.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM jobs WHERE call_id = @CallId",
            new { CallId = callId.ToString() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToRecord();
    }

    /// <summary>The newest jobs first.</summary>
    public async Task<IReadOnlyList<JobRecord>> ListAsync(int limit, CancellationToken cancellationToken)
    {
        var rows = await _db.QueryAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM jobs ORDER BY start_ms DESC, rowid DESC LIMIT @Limit",
            new { Limit = limit },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => r.ToRecord()).ToList();
    }

    /// <summary>The log line of a finished job, as the seed's tracker writes it.</summary>
    internal static string LogLine(JobRecord r)
    {
        var worker = r.WorkerId.ToString("N")[..8];
        var end = r.End ?? r.Start;
        return string.Join('\t',
            r.HostName,
            worker,
            r.Sector.Number.ToString(CultureInfo.InvariantCulture),
            TaskTypes.ShortName(r.Task),
            r.Start.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            end.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            GoFormat.Duration(r.Duration ?? TimeSpan.Zero));
    }

    private async Task AppendLogAsync(JobRecord record, CancellationToken ct)
    {
        var day = (record.End ?? record.Start).UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var path = Path.Combine(_logDirectory!, $"jobs-{day}.log");
        var text = new StringBuilder();
        if (!File.Exists(path))
        {
            text.Append(LogHeader).Append('\n');
        }

        text.Append(LogLine(record)).Append('\n');
        await File.AppendAllTextAsync(path, text.ToString(), ct).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _db.DisposeAsync().ConfigureAwait(false);
        _gate.Dispose();
    }

    private sealed class Row
    {
        public string CallId { get; set; } = string.Empty;

        public string Host { get; set; } = string.Empty;

        public string Worker { get; set; } = string.Empty;

        public long SectorMiner { get; set; }

        public long SectorNumber { get; set; }

        public string Task { get; set; } = string.Empty;

        public long StartMs { get; set; }

        public long? EndMs { get; set; }

        public string Outcome { get; set; } = string.Empty;

        public string? Error { get; set; }

        public JobRecord ToRecord()
        {
            var start = DateTimeOffset.FromUnixTimeMilliseconds(StartMs);
            DateTimeOffset? end = EndMs is { } e ? DateTimeOffset.FromUnixTimeMilliseconds(e) : null;
            return new JobRecord(
                Guid.Parse(CallId),
                Host,
                Guid.Parse(Worker),
                new SectorId((ulong)SectorMiner, (ulong)SectorNumber),
                TaskTypes.FromWire(Task),
                start,
                end,
                end - start,
                Enum.Parse<JobOutcome>(Outcome),
                Error);
        }
    }
}
