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
/// PreCommit2 → WaitSeed → Committing (C1, C2) → FinalizeSector → Proving, its state persisted in SQLite
/// after every step so a restarted miner resumes where it stopped. Temporary worker errors (restart, no
/// space) are retried; other errors fail the sector.
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
                cids TEXT NULL,
                seed BLOB NULL,
                proof_bytes BLOB NULL,
                created_ms INTEGER NOT NULL,
                updated_ms INTEGER NOT NULL
            );
            """,
            ct).ConfigureAwait(false);

        // Databases of earlier releases lack the later stages' columns.
        var columns = (await db.QueryAsync<string>(new CommandDefinition("SELECT name FROM pragma_table_info('sectors')", cancellationToken: ct)).ConfigureAwait(false)).ToHashSet();
        foreach (var (column, type) in new[] { ("cids", "TEXT"), ("seed", "BLOB"), ("proof_bytes", "BLOB") })
        {
            if (!columns.Contains(column))
            {
                await db.ExecuteAsync(new CommandDefinition($"ALTER TABLE sectors ADD COLUMN {column} {type} NULL", cancellationToken: ct)).ConfigureAwait(false);
            }
        }

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
            if (s.State is not (SectorState.Proving or SectorState.Failed))
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
            if (s is null || s.State is SectorState.Proving or SectorState.Failed || s.State == _options.HoldSectorsAt)
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
                        await UpdateAsync(number, SectorState.PreCommit2, ct, ticket: ticket, pc1: pc1).ConfigureAwait(false);
                        break;
                    case SectorState.PreCommit2:
                        var cids = await _sealing.SealPreCommit2Async(sector, Required(s.PreCommit1Out, "PreCommit1Out"), ct).ConfigureAwait(false);
                        await UpdateAsync(number, SectorState.WaitSeed, ct, cids: cids).ConfigureAwait(false);
                        break;
                    case SectorState.WaitSeed:
                        await UpdateAsync(number, SectorState.Committing, ct, seed: _chain.SeedFor(_options.ActorId, number)).ConfigureAwait(false);
                        break;
                    case SectorState.Committing:
                        // As in Lotus, Commit1's output is not kept: a miner restarted between C1 and C2 runs C1 again.
                        var c1 = await _sealing.SealCommit1Async(sector, Required(s.Ticket, "ticket"), Required(s.Seed, "seed"), s.Pieces, s.Cids ?? throw new InvalidOperationException("no sector CIDs recorded"), ct).ConfigureAwait(false);
                        var proof = await _sealing.SealCommit2Async(sector, c1, ct).ConfigureAwait(false);
                        await UpdateAsync(number, SectorState.FinalizeSector, ct, proof: proof).ConfigureAwait(false);
                        break;
                    case SectorState.FinalizeSector:
                        await _sealing.FinalizeSectorAsync(sector, ct).ConfigureAwait(false);
                        await UpdateAsync(number, SectorState.Proving, ct).ConfigureAwait(false);
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

    private static byte[] Required(byte[]? value, string what) => value ?? throw new InvalidOperationException($"no {what} recorded for the sector");

    private async Task UpdateAsync(ulong number, SectorState state, CancellationToken ct, IReadOnlyList<PieceInfo>? pieces = null, byte[]? ticket = null, byte[]? pc1 = null, string? error = null, SectorCids? cids = null, byte[]? seed = null, byte[]? proof = null)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await _db.ExecuteAsync(new CommandDefinition(
                """
                UPDATE sectors SET state = @State, updated_ms = @Now,
                    pieces = COALESCE(@Pieces, pieces), ticket = COALESCE(@Ticket, ticket),
                    pc1out = COALESCE(@Pc1, pc1out), error = @Error, cids = COALESCE(@Cids, cids),
                    seed = COALESCE(@Seed, seed), proof_bytes = COALESCE(@Proof, proof_bytes)
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
                    Cids = cids is { } c ? JsonSerializer.Serialize(c, ApiJson.Options) : null,
                    Seed = seed,
                    Proof = proof,
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
        "number AS Number, state AS State, proof AS Proof, pieces AS Pieces, ticket AS Ticket, pc1out AS Pc1Out, error AS Error, created_ms AS CreatedMs, updated_ms AS UpdatedMs, " +
        "cids AS Cids, seed AS Seed, proof_bytes AS ProofBytes";

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

        public string? Cids { get; set; }

        public byte[]? Seed { get; set; }

        public byte[]? ProofBytes { get; set; }

        public SectorRecord ToRecord() => new(
            (ulong)Number,
            // Releases before PreCommit2 existed parked sectors in "WaitPreCommit2".
            State == "WaitPreCommit2" ? SectorState.PreCommit2 : Enum.Parse<SectorState>(State),
            (RegisteredSealProof)Proof,
            JsonSerializer.Deserialize<List<PieceInfo>>(Pieces, ApiJson.Options) ?? [],
            Ticket,
            Pc1Out,
            Error,
            DateTimeOffset.FromUnixTimeMilliseconds(CreatedMs),
            DateTimeOffset.FromUnixTimeMilliseconds(UpdatedMs))
        {
            Cids = Cids is null ? null : JsonSerializer.Deserialize<SectorCids>(Cids, ApiJson.Options),
            Seed = Seed,
            PoRepProof = ProofBytes,
        };
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
