using System.Text.Json;
using Dapper;
using Kiln.Api.Types;
using Kiln.Miner.Repo;
using Kiln.Stores.Sqlite;
using Microsoft.Data.Sqlite;

namespace Kiln.Miner.Calls;

/// <summary>
/// The miner's persistent work store (Lotus <c>/stmgr/calls</c>): for every long call, which worker
/// runs it under which CallID, and — once the worker's Return* arrived — its result, kept until the
/// sector pipeline takes it. A miner killed while a worker seals finds the work here after its
/// restart and waits for the same CallID instead of sealing again; a result that arrives while
/// nobody waits is written here before the worker is told it was delivered.
/// When the miner gives a lost worker's call up (<see cref="GiveUpAsync"/>), its work is remembered by CallID
/// in <c>given_up</c>; a successful result the worker returns later is kept there under the work's id, and the
/// work's next dispatch takes it (<see cref="TakeLateAsync"/>) instead of sealing again — Lotus's manager keeps
/// results by WorkID (storage/sealer/manager.go <c>m.results</c>, manager_calltracker.go returnResult).
/// </summary>
public sealed class WorkStore : IAsyncDisposable
{
    private const string Columns =
        "task AS Task, params AS Params, sector_miner AS SectorMiner, sector_number AS SectorNumber, status AS Status, call_id AS CallId, "
        + "worker AS Worker, host AS Host, result AS Result, error_code AS ErrorCode, error_message AS ErrorMessage, updated_ms AS UpdatedMs";

    private readonly SqliteConnection _db;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);

    private WorkStore(SqliteConnection db, TimeProvider time)
    {
        _db = db;
        _time = time;
    }

    public static async Task<WorkStore> OpenAsync(string databasePath, TimeProvider time, CancellationToken cancellationToken)
    {
        var db = await SqliteDatabase.OpenAsync(
            databasePath,
            """
            CREATE TABLE IF NOT EXISTS works (
                task TEXT NOT NULL,
                params TEXT NOT NULL,
                sector_miner INTEGER NOT NULL,
                sector_number INTEGER NOT NULL,
                status TEXT NOT NULL,
                call_id TEXT NULL,
                worker TEXT NULL,
                host TEXT NULL,
                result TEXT NULL,
                error_code INTEGER NULL,
                error_message TEXT NULL,
                updated_ms INTEGER NOT NULL,
                PRIMARY KEY (task, params)
            );
            CREATE INDEX IF NOT EXISTS works_call ON works (call_id);
            CREATE TABLE IF NOT EXISTS given_up (
                call_id TEXT NOT NULL PRIMARY KEY,
                task TEXT NOT NULL,
                params TEXT NOT NULL,
                sector_miner INTEGER NOT NULL,
                sector_number INTEGER NOT NULL,
                worker TEXT NULL,
                host TEXT NULL,
                status TEXT NOT NULL,
                result TEXT NULL,
                updated_ms INTEGER NOT NULL
            );
            CREATE INDEX IF NOT EXISTS given_up_work ON given_up (task, params);
            """,
            MinerDatabases.RestoreHint(databasePath),
            cancellationToken).ConfigureAwait(false);
        var store = new WorkStore(db, time);
        await store.WriteAsync(
            "DELETE FROM given_up WHERE updated_ms < @Before",
            new { Before = (time.GetUtcNow() - GivenUpRetention).ToUnixTimeMilliseconds() },
            cancellationToken).ConfigureAwait(false);
        return store;
    }

    /// <summary>How long a given-up call (and a late result kept for it) waits for its work to be dispatched again.</summary>
    public static TimeSpan GivenUpRetention { get; } = TimeSpan.FromDays(7);

    public async Task<WorkState?> GetAsync(WorkId id, CancellationToken cancellationToken)
    {
        var row = await _db.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM works WHERE task = @Task AND params = @Params",
            new { Task = TaskTypes.Id(id.Task), id.Params },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToState();
    }

    /// <summary>Every work the store holds (running ones are what a restarted miner still waits for).</summary>
    public async Task<IReadOnlyList<WorkState>> ListAsync(CancellationToken cancellationToken)
    {
        var rows = await _db.QueryAsync<Row>(new CommandDefinition($"SELECT {Columns} FROM works ORDER BY updated_ms", cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => r.ToState()).ToList();
    }

    /// <summary>The work is about to be dispatched (replaces whatever an interrupted dispatch left).</summary>
    public Task StartAsync(WorkId id, SectorId sector, CancellationToken cancellationToken) => WriteAsync(
        """
        INSERT INTO works (task, params, sector_miner, sector_number, status, updated_ms)
        VALUES (@Task, @Params, @Miner, @Number, 'Start', @Now)
        ON CONFLICT (task, params) DO UPDATE SET status = 'Start', call_id = NULL, worker = NULL, host = NULL,
            result = NULL, error_code = NULL, error_message = NULL, updated_ms = @Now
        """,
        new { Task = TaskTypes.Id(id.Task), id.Params, Miner = (long)sector.Miner, Number = (long)sector.Number, Now = Now() },
        cancellationToken);

    /// <summary>A worker accepted the work under <paramref name="call"/>.</summary>
    public Task RunningAsync(WorkId id, CallId call, Guid worker, string hostName, CancellationToken cancellationToken) => WriteAsync(
        "UPDATE works SET status = 'Running', call_id = @Call, worker = @Worker, host = @Host, updated_ms = @Now WHERE task = @Task AND params = @Params",
        new { Task = TaskTypes.Id(id.Task), id.Params, Call = call.ToString(), Worker = worker.ToString(), Host = hostName, Now = Now() },
        cancellationToken);

    /// <summary>
    /// Stores the result a worker returned for <paramref name="call"/>; false when no running work has
    /// that CallID (a call the store does not keep, or one already answered).
    /// </summary>
    public async Task<bool> CompleteAsync(CallId call, object? value, CallError? error, CancellationToken cancellationToken)
    {
        var changed = await WriteAsync(
            """
            UPDATE works SET status = 'Done', result = @Result, error_code = @Code, error_message = @Message, updated_ms = @Now
            WHERE call_id = @Call AND status = 'Running'
            """,
            new
            {
                Call = call.ToString(),
                Result = error is null ? JsonSerializer.Serialize(value, ApiJson.Options) : null,
                Code = error is null ? (long?)null : (long)error.Code,
                Message = error?.Message,
                Now = Now(),
            },
            cancellationToken).ConfigureAwait(false);
        return changed > 0;
    }

    /// <summary>
    /// The work's call was given up (its worker was lost, error 101): the work's row goes, its CallID is remembered,
    /// so the result the worker may still return for it can be kept for the work (<see cref="KeepLateAsync"/>).
    /// Returns whether a running call was remembered.
    /// </summary>
    public async Task<bool> GiveUpAsync(WorkId id, CancellationToken cancellationToken)
    {
        var args = new { Task = TaskTypes.Id(id.Task), id.Params, Now = Now() };
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var tx = _db.BeginTransaction();
            var remembered = await _db.ExecuteAsync(new CommandDefinition(
                """
                INSERT OR REPLACE INTO given_up (call_id, task, params, sector_miner, sector_number, worker, host, status, result, updated_ms)
                SELECT call_id, task, params, sector_miner, sector_number, worker, host, 'GivenUp', NULL, @Now
                FROM works WHERE task = @Task AND params = @Params AND status = 'Running' AND call_id IS NOT NULL
                """,
                args,
                tx,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            await _db.ExecuteAsync(new CommandDefinition("DELETE FROM works WHERE task = @Task AND params = @Params", args, tx, cancellationToken: cancellationToken)).ConfigureAwait(false);
            tx.Commit();
            return remembered > 0;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// A result for a call no running work has: if it is a given-up work's call, a success is kept for that work
    /// (<see cref="LateReturn.Kept"/>) and an error dropped (<see cref="LateReturn.Dropped"/>: the work is done again);
    /// <see cref="LateReturn.Unknown"/> for any other call, and for a second result of the same call.
    /// </summary>
    public async Task<LateReturn> KeepLateAsync(CallId call, object? value, CallError? error, CancellationToken cancellationToken)
    {
        if (error is not null)
        {
            var dropped = await WriteAsync(
                "DELETE FROM given_up WHERE call_id = @Call AND status = 'GivenUp'",
                new { Call = call.ToString() },
                cancellationToken).ConfigureAwait(false);
            return dropped > 0 ? LateReturn.Dropped : LateReturn.Unknown;
        }

        var kept = await WriteAsync(
            "UPDATE given_up SET status = 'Done', result = @Result, updated_ms = @Now WHERE call_id = @Call AND status = 'GivenUp'",
            new { Call = call.ToString(), Result = JsonSerializer.Serialize(value, ApiJson.Options), Now = Now() },
            cancellationToken).ConfigureAwait(false);
        return kept > 0 ? LateReturn.Kept : LateReturn.Unknown;
    }

    /// <summary>
    /// A late result kept for <paramref name="id"/> (<see cref="WorkStatus.Done"/>, its CallID, worker and host those of
    /// the given-up call), taken: every given-up call of the work is forgotten. Null when there is none.
    /// </summary>
    public async Task<WorkState?> TakeLateAsync(WorkId id, CancellationToken cancellationToken)
    {
        var args = new { Task = TaskTypes.Id(id.Task), id.Params };
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var row = await _db.QueryFirstOrDefaultAsync<Row>(new CommandDefinition(
                """
                SELECT task AS Task, params AS Params, sector_miner AS SectorMiner, sector_number AS SectorNumber, status AS Status,
                    call_id AS CallId, worker AS Worker, host AS Host, result AS Result, NULL AS ErrorCode, NULL AS ErrorMessage, updated_ms AS UpdatedMs
                FROM given_up WHERE task = @Task AND params = @Params AND status = 'Done' ORDER BY updated_ms LIMIT 1
                """,
                args,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (row is not null)
            {
                await _db.ExecuteAsync(new CommandDefinition("DELETE FROM given_up WHERE task = @Task AND params = @Params", args, cancellationToken: cancellationToken)).ConfigureAwait(false);
            }

            return row?.ToState();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The work got its result another way: its given-up calls (and any result kept for them) are forgotten.</summary>
    public Task ForgetGivenUpAsync(WorkId id, CancellationToken cancellationToken) => WriteAsync(
        "DELETE FROM given_up WHERE task = @Task AND params = @Params",
        new { Task = TaskTypes.Id(id.Task), id.Params },
        cancellationToken);

    /// <summary>The caller took the result: the work is over.</summary>
    public Task RemoveAsync(WorkId id, CancellationToken cancellationToken) => WriteAsync(
        "DELETE FROM works WHERE task = @Task AND params = @Params",
        new { Task = TaskTypes.Id(id.Task), id.Params },
        cancellationToken);

    private async Task<int> WriteAsync(string sql, object args, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return await _db.ExecuteAsync(new CommandDefinition(sql, args, cancellationToken: ct)).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    public async ValueTask DisposeAsync()
    {
        await _db.DisposeAsync().ConfigureAwait(false);
        _gate.Dispose();
    }

    private sealed class Row
    {
        public string Task { get; set; } = string.Empty;

        public string Params { get; set; } = string.Empty;

        public long SectorMiner { get; set; }

        public long SectorNumber { get; set; }

        public string Status { get; set; } = string.Empty;

        public string? CallId { get; set; }

        public string? Worker { get; set; }

        public string? Host { get; set; }

        public string? Result { get; set; }

        public long? ErrorCode { get; set; }

        public string? ErrorMessage { get; set; }

        public long UpdatedMs { get; set; }

        public WorkState ToState() => new(
            new WorkId(TaskTypes.Parse(Task), Params),
            new SectorId((ulong)SectorMiner, (ulong)SectorNumber),
            Enum.Parse<WorkStatus>(Status),
            CallId is null ? null : Kiln.Api.Types.CallId.Parse(CallId),
            Worker is null ? null : Guid.Parse(Worker),
            Host,
            Result is null ? null : JsonSerializer.Deserialize<JsonElement>(Result),
            ErrorCode is { } code ? new CallError((int)code, ErrorMessage ?? string.Empty) : null,
            DateTimeOffset.FromUnixTimeMilliseconds(UpdatedMs));
    }
}
