using Dapper;
using Kiln.Api.Types;
using Kiln.Stores.Sqlite;
using Microsoft.Data.Sqlite;

namespace Kiln.Worker.Calls;

/// <summary>
/// The worker's call tracker (lotus: storage/sealer/worker_calltracker.go) in SQLite, <c>calls.sqlite</c> in the repo.
/// A call is recorded before its work starts and updated with its result when the work ends; the row goes only once
/// the miner has accepted the <c>Return*</c>. Unlike Lotus, successful results are kept too, so a result the miner has
/// not taken yet survives a worker restart.
/// </summary>
public sealed class CallTracker : IAsyncDisposable
{
    private const int StateStarted = 0;
    private const int StateDone = 1;

    private readonly SqliteConnection _db;
    private readonly SemaphoreSlim _gate = new(1, 1);

    private readonly string _path;

    private CallTracker(SqliteConnection db, string path)
    {
        _db = db;
        _path = path;
    }

    /// <summary>
    /// Opens (creating when needed) the tracker at <paramref name="path"/>, after checking the file: a zero-length or
    /// malformed file throws <see cref="DatabaseDamagedException"/> instead of silently forgetting the calls it held.
    /// </summary>
    public static async Task<CallTracker> OpenAsync(string path, CancellationToken ct)
    {
        var db = await SqliteDatabase.OpenAsync(
            path,
            """
            CREATE TABLE IF NOT EXISTS calls (
                id TEXT PRIMARY KEY,
                ret_type TEXT NOT NULL,
                state INTEGER NOT NULL,
                result TEXT NULL,
                error_code INTEGER NULL,
                error_message TEXT NULL
            );
            """,
            RestoreHint(path),
            ct).ConfigureAwait(false);
        return new CallTracker(db, path);
    }

    /// <summary>
    /// Raised after a call is recorded, its outcome stored or the call forgotten (outside the tracker's lock).
    /// Handlers run on the writer's thread and must not block.
    /// </summary>
    public event Action? Changed;

    /// <summary>Records a call before its work starts.</summary>
    public Task StartedAsync(CallId id, ReturnType type, CancellationToken ct) =>
        ExecuteAsync(
            "INSERT INTO calls (id, ret_type, state) VALUES (@Id, @Type, @State)",
            new { Id = id.ToString(), Type = type.ToString(), State = StateStarted },
            ct);

    /// <summary>Stores the outcome of a call: its result as JSON (success) or its error.</summary>
    public Task DoneAsync(CallId id, string? resultJson, CallError? error, CancellationToken ct) =>
        ExecuteAsync(
            "UPDATE calls SET state = @State, result = @Result, error_code = @Code, error_message = @Message WHERE id = @Id",
            new { Id = id.ToString(), State = StateDone, Result = resultJson, Code = error?.Code, Message = error?.Message },
            ct);

    /// <summary>The miner accepted the result: forget the call.</summary>
    public Task AcknowledgedAsync(CallId id, CancellationToken ct) =>
        ExecuteAsync("DELETE FROM calls WHERE id = @Id", new { Id = id.ToString() }, ct);

    /// <summary>Every call still recorded (started, or done but not acknowledged).</summary>
    public async Task<IReadOnlyList<TrackedCall>> ListAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var rows = await _db.QueryAsync<Row>(new CommandDefinition(
                "SELECT id AS Id, ret_type AS RetType, state AS State, result AS Result, error_code AS Code, error_message AS Message FROM calls ORDER BY rowid",
                cancellationToken: ct)).ConfigureAwait(false);
            return [.. rows.Select(r => new TrackedCall(
                CallId.Parse(r.Id),
                Enum.Parse<ReturnType>(r.RetType),
                r.State == StateDone,
                r.Result,
                r.Code is { } code ? new CallError((int)code, r.Message ?? "") : null))];
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Writes <c>calls.sqlite.bak</c> with SQLite's online backup API (the worker does it on a clean shutdown);
    /// a tracker that fails its check keeps the previous backup.
    /// </summary>
    public Task<bool> BackupAsync(CancellationToken ct) => SqliteFiles.BackupAsync(_path, RestoreHint(_path), ct);

    /// <summary>How an operator restores a damaged tracker from its backup (kiln-worker has no <c>db</c> command).</summary>
    internal static string RestoreHint(string path) =>
        $"mv {path} {path}.damaged; mv {path}-wal {path}.damaged-wal; cp {SqliteFiles.BackupPath(path)} {path}";

    public async ValueTask DisposeAsync()
    {
        await _db.DisposeAsync().ConfigureAwait(false);
        _gate.Dispose();
    }

    private async Task ExecuteAsync(string sql, object args, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await _db.ExecuteAsync(new CommandDefinition(sql, args, cancellationToken: ct)).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }

        Changed?.Invoke();
    }

    private sealed record Row(string Id, string RetType, long State, string? Result, long? Code, string? Message);
}
