using System.Text.Json;
using Dapper;
using Kiln.Api.Types;
using Kiln.Miner.Storage;
using Microsoft.Data.Sqlite;

namespace Kiln.Miner.Calls;

/// <summary>
/// The miner's persistent work store (Lotus <c>/stmgr/calls</c>): for every long call, which worker
/// runs it under which CallID, and — once the worker's Return* arrived — its result, kept until the
/// sector pipeline takes it. A miner killed while a worker seals finds the work here after its
/// restart and waits for the same CallID instead of sealing again; a result that arrives while
/// nobody waits is written here before the worker is told it was delivered.
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
            """,
            cancellationToken).ConfigureAwait(false);
        return new WorkStore(db, time);
    }

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
