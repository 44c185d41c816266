using System.Collections.Concurrent;
using System.Text.Json;
using Dapper;
using Kiln.Api.JsonRpc;
using Kiln.Api.Types;
using Kiln.Miner.Storage;
using Microsoft.Data.Sqlite;

namespace Kiln.Miner.Sealing;

/// <summary>
/// The sector pipeline for CC sectors (<c>sectors pledge</c>): each sector walks Packing → PreCommit1 →
/// WaitPreCommit2, its state persisted in SQLite after every step so a restarted miner resumes where
/// it stopped. Temporary worker errors (restart, no space) are retried; other errors fail the sector.
/// </summary>
public sealed partial class SectorPipeline : IAsyncDisposable
{
    /// <summary>Lotus's sealing FSM retries soft errors every 5 s.</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);

    private readonly SqliteConnection _db;
    private readonly MinerOptions _options;
    private readonly SealingManager _sealing;
    private readonly DevnetChain _chain;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentDictionary<ulong, Task> _running = new();
    private readonly CancellationTokenSource _stopping = new();

    private SectorPipeline(SqliteConnection db, MinerOptions options, SealingManager sealing, DevnetChain chain, TimeProvider time, ILogger logger)
    {
        _db = db;
        _options = options;
        _sealing = sealing;
        _chain = chain;
        _time = time;
        _logger = logger;
    }

    /// <summary>Raised after a sector changed state (for progress displays).</summary>
    public event Action<SectorRecord>? Changed;

    public static async Task<SectorPipeline> OpenAsync(string databasePath, MinerOptions options, SealingManager sealing, DevnetChain chain, TimeProvider time, ILogger logger, CancellationToken ct)
    {
        var db = await SqliteDatabase.OpenAsync(
            databasePath,
            """
            CREATE TABLE IF NOT EXISTS sectors (
                number INTEGER PRIMARY KEY,
                state TEXT NOT NULL,
                proof INTEGER NOT NULL,
                pieces TEXT NOT NULL,
                ticket BLOB NULL,
                pc1out BLOB NULL,
                error TEXT NULL,
                created_ms INTEGER NOT NULL,
                updated_ms INTEGER NOT NULL
            );
            """,
            ct).ConfigureAwait(false);
        return new SectorPipeline(db, options, sealing, chain, time, logger);
    }

    /// <summary>Creates the next CC sector and starts sealing it.</summary>
    public async Task<SectorId> PledgeAsync(CancellationToken ct)
    {
        var proof = (RegisteredSealProof)(long)Kiln.Proofs.SealProofInfo.ForSectorSize(_options.SectorBytes).Proof;
        ulong number;
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            number = (ulong)await _db.ExecuteScalarAsync<long>(new CommandDefinition(
                """
                INSERT INTO sectors (number, state, proof, pieces, created_ms, updated_ms)
                VALUES ((SELECT COALESCE(MAX(number), 0) + 1 FROM sectors), 'Packing', @Proof, '[]', @Now, @Now)
                RETURNING number
                """,
                new { Proof = (long)proof, Now = now },
                cancellationToken: ct)).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }

        Log.Pledged(_logger, number);
        Start(number);
        return new SectorId(_options.ActorId, number);
    }

    /// <summary>Resumes every sector that was mid-way when the miner stopped.</summary>
    public async Task ResumeAsync(CancellationToken ct)
    {
        foreach (var s in await ListAsync(ct).ConfigureAwait(false))
        {
            if (s.State is SectorState.Packing or SectorState.PreCommit1)
            {
                Start(s.Number);
            }
        }
    }

    public async Task<IReadOnlyList<SectorRecord>> ListAsync(CancellationToken ct)
    {
        var rows = await _db.QueryAsync<Row>(new CommandDefinition($"SELECT {Columns} FROM sectors ORDER BY number", cancellationToken: ct)).ConfigureAwait(false);
        return rows.Select(r => r.ToRecord()).ToList();
    }

    public async Task<SectorRecord?> GetAsync(ulong number, CancellationToken ct)
    {
        var row = await _db.QuerySingleOrDefaultAsync<Row>(new CommandDefinition($"SELECT {Columns} FROM sectors WHERE number = @N", new { N = (long)number }, cancellationToken: ct)).ConfigureAwait(false);
        return row?.ToRecord();
    }

    /// <summary>Waits until every sector in progress has reached a state it cannot leave on its own.</summary>
    public async Task WaitIdleAsync(CancellationToken ct)
    {
        while (true)
        {
            var running = _running.Values.ToArray();
            if (running.Length == 0)
            {
                return;
            }

            await Task.WhenAll(running).WaitAsync(ct).ConfigureAwait(false);
        }
    }

    private void Start(ulong number)
    {
        _running.GetOrAdd(number, n => Task.Run(async () =>
        {
            try
            {
                await ProcessAsync(n, _stopping.Token).ConfigureAwait(false);
            }
            finally
            {
                _running.TryRemove(n, out _);
            }
        }));
    }

    private async Task ProcessAsync(ulong number, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var s = await GetAsync(number, ct).ConfigureAwait(false);
            if (s is null || s.State is SectorState.WaitPreCommit2 or SectorState.Failed)
            {
                return;
            }

            var sector = new SectorRef(new SectorId(_options.ActorId, number), s.Proof);
            try
            {
                switch (s.State)
                {
                    case SectorState.Packing:
                        var size = _options.SectorBytes - (_options.SectorBytes / 128);
                        var piece = await _sealing.AddPieceAsync(sector, [], size, () => new NullReaderStream((long)size), ct).ConfigureAwait(false);
                        // The ticket is kept with the sector before PC1 is dispatched: a restarted miner must ask for the same PC1.
                        await UpdateAsync(number, SectorState.PreCommit1, ct, pieces: [piece], ticket: _chain.TicketFor(_options.ActorId, number)).ConfigureAwait(false);
                        break;
                    case SectorState.PreCommit1:
                        var ticket = s.Ticket ?? _chain.TicketFor(_options.ActorId, number);
                        var pc1 = await _sealing.SealPreCommit1Async(sector, ticket, s.Pieces, ct).ConfigureAwait(false);
                        await UpdateAsync(number, SectorState.WaitPreCommit2, ct, ticket: ticket, pc1: pc1).ConfigureAwait(false);
                        break;
                }
            }
            catch (SealingException e) when (e.IsRetryable)
            {
                Log.Retrying(_logger, number, s.State, e.Message);
                await Task.Delay(RetryDelay, _time, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.Failed(_logger, number, s.State, e.Message);
                await UpdateAsync(number, SectorState.Failed, ct, error: $"{s.State}: {e.Message}").ConfigureAwait(false);
                return;
            }
        }
    }

    private async Task UpdateAsync(ulong number, SectorState state, CancellationToken ct, IReadOnlyList<PieceInfo>? pieces = null, byte[]? ticket = null, byte[]? pc1 = null, string? error = null)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await _db.ExecuteAsync(new CommandDefinition(
                """
                UPDATE sectors SET state = @State, updated_ms = @Now,
                    pieces = COALESCE(@Pieces, pieces), ticket = COALESCE(@Ticket, ticket),
                    pc1out = COALESCE(@Pc1, pc1out), error = @Error
                WHERE number = @N
                """,
                new
                {
                    State = state.ToString(),
                    Now = _time.GetUtcNow().ToUnixTimeMilliseconds(),
                    Pieces = pieces is null ? null : JsonSerializer.Serialize(pieces, ApiJson.Options),
                    Ticket = ticket,
                    Pc1 = pc1,
                    Error = error,
                    N = (long)number,
                },
                cancellationToken: ct)).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }

        Log.State(_logger, number, state);
        if (Changed is { } changed && await GetAsync(number, ct).ConfigureAwait(false) is { } record)
        {
            changed(record);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_running.Values.ToArray()).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        await _db.DisposeAsync().ConfigureAwait(false);
        _gate.Dispose();
        _stopping.Dispose();
    }

    private const string Columns =
        "number AS Number, state AS State, proof AS Proof, pieces AS Pieces, ticket AS Ticket, pc1out AS Pc1Out, error AS Error, created_ms AS CreatedMs, updated_ms AS UpdatedMs";

    private sealed class Row
    {
        public long Number { get; set; }

        public string State { get; set; } = string.Empty;

        public long Proof { get; set; }

        public string Pieces { get; set; } = "[]";

        public byte[]? Ticket { get; set; }

        public byte[]? Pc1Out { get; set; }

        public string? Error { get; set; }

        public long CreatedMs { get; set; }

        public long UpdatedMs { get; set; }

        public SectorRecord ToRecord() => new(
            (ulong)Number,
            Enum.Parse<SectorState>(State),
            (RegisteredSealProof)Proof,
            JsonSerializer.Deserialize<List<PieceInfo>>(Pieces, ApiJson.Options) ?? [],
            Ticket,
            Pc1Out,
            Error,
            DateTimeOffset.FromUnixTimeMilliseconds(CreatedMs),
            DateTimeOffset.FromUnixTimeMilliseconds(UpdatedMs));
    }

    private static partial class Log
    {
        [LoggerMessage(30, LogLevel.Information, "pledged sector {Sector}")]
        public static partial void Pledged(ILogger logger, ulong sector);

        [LoggerMessage(31, LogLevel.Information, "sector {Sector} is now {State}")]
        public static partial void State(ILogger logger, ulong sector, SectorState state);

        [LoggerMessage(32, LogLevel.Warning, "sector {Sector} {State}: temporary error, retrying: {Reason}")]
        public static partial void Retrying(ILogger logger, ulong sector, SectorState state, string reason);

        [LoggerMessage(33, LogLevel.Error, "sector {Sector} failed in {State}: {Reason}")]
        public static partial void Failed(ILogger logger, ulong sector, SectorState state, string reason);
    }
}
