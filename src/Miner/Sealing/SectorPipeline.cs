using System.Collections.Concurrent;
using System.Text.Json;
using Dapper;
using Kiln.Api.JsonRpc;
using Kiln.Api.Types;
using Kiln.Miner.Chain;
using Kiln.Miner.Repo;
using Kiln.Proofs;
using Kiln.Stores.Index;
using Kiln.Stores.Sqlite;
using Microsoft.Data.Sqlite;

namespace Kiln.Miner.Sealing;

/// <summary>
/// The sector pipeline for CC sectors (<c>sectors pledge</c>): each sector walks Packing → PreCommit1 →
/// PreCommit2 → WaitSeed → Committing (C1, C2) → FinalizeSector → Proving, its state persisted in SQLite
/// after every step so a restarted miner resumes where it stopped. Temporary worker errors (Lotus's 100
/// ErrTempUnknown, 101 ErrTempWorkerRestart, 102 ErrTempAllocateSpace: a restarted miner or worker, a refused
/// connection, no space) are retried with a growing delay; other errors fail the sector, which keeps the reason
/// and can be sent back to a state by <see cref="UpdateStateAsync"/> (Lotus <c>sectors update-state</c>). Tickets and
/// seeds come from the miner's one <see cref="IChain"/> (a Lotus full node when configured, else the devnet); a chain
/// that cannot answer leaves the sector in its state, retried with the same growing delay, so nothing is lost.
/// </summary>
public sealed partial class SectorPipeline : IAsyncDisposable
{
    /// <summary>The first retry of a temporary error waits 5 s (Lotus's worker re-sends its returns every 5 s).</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);

    /// <summary>Each further retry in a row doubles the delay up to Lotus's <c>MinRetryTime</c> (storage/pipeline/states_failed.go): 1 min.</summary>
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(1);

    private readonly SqliteConnection _db;
    private readonly MinerOptions _options;
    private readonly SealingManager _sealing;
    private readonly IChain _chain;
    private readonly ISectorIndex? _index;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentDictionary<ulong, Running> _running = new();
    private readonly CancellationTokenSource _stopping = new();

    private SectorPipeline(SqliteConnection db, MinerOptions options, SealingManager sealing, IChain chain, ISectorIndex? index, TimeProvider time, ILogger logger)
    {
        _db = db;
        _options = options;
        _sealing = sealing;
        _chain = chain;
        _index = index;
        _time = time;
        _logger = logger;
    }

    /// <summary>Raised after a sector changed state (for progress displays).</summary>
    public event Action<SectorRecord>? Changed;

    /// <summary>
    /// Opens (or creates) the sector database. With <paramref name="index"/>, new sector numbers are also kept clear of
    /// every sector the storage index declares for this miner, so a lost or recreated database cannot reuse a number.
    /// </summary>
    public static async Task<SectorPipeline> OpenAsync(string databasePath, MinerOptions options, SealingManager sealing, IChain chain, ISectorIndex? index, TimeProvider time, ILogger logger, CancellationToken ct)
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
                failed_state TEXT NULL,
                ticket_epoch INTEGER NULL,
                precommit_epoch INTEGER NULL,
                seed_epoch INTEGER NULL,
                created_ms INTEGER NOT NULL,
                updated_ms INTEGER NOT NULL
            );
            """,
            MinerDatabases.RestoreHint(databasePath),
            ct).ConfigureAwait(false);

        // Databases of earlier releases lack the later stages' columns.
        var columns = (await db.QueryAsync<string>(new CommandDefinition("SELECT name FROM pragma_table_info('sectors')", cancellationToken: ct)).ConfigureAwait(false)).ToHashSet();
        foreach (var (column, type) in new[] { ("cids", "TEXT"), ("seed", "BLOB"), ("proof_bytes", "BLOB"), ("failed_state", "TEXT"), ("ticket_epoch", "INTEGER"), ("precommit_epoch", "INTEGER"), ("seed_epoch", "INTEGER") })
        {
            if (!columns.Contains(column))
            {
                await db.ExecuteAsync(new CommandDefinition($"ALTER TABLE sectors ADD COLUMN {column} {type} NULL", cancellationToken: ct)).ConfigureAwait(false);
            }
        }

        return new SectorPipeline(db, options, sealing, chain, index, time, logger);
    }

    /// <summary>
    /// Creates the next CC sector and starts sealing it. Its number is one past the highest this database knows and the
    /// highest the storage index declares for this miner (Lotus storage/pipeline/numassign.go keeps its own counter and
    /// never hands out a number twice; here the index is the record that outlives a lost sectors database).
    /// </summary>
    public async Task<SectorId> PledgeAsync(CancellationToken ct)
    {
        var proof = Kiln.Proofs.SealProofInfo.ForSectorSize(_options.SectorBytes).Proof;
        ulong number;
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var declared = await HighestDeclaredAsync(ct).ConfigureAwait(false);
            var known = (ulong)await _db.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COALESCE(MAX(number), 0) FROM sectors", cancellationToken: ct)).ConfigureAwait(false);
            if (declared > known)
            {
                Log.NumberFromIndex(_logger, declared, known);
            }

            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            number = Math.Max(declared, known) + 1;
            await _db.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO sectors (number, state, proof, pieces, created_ms, updated_ms)
                VALUES (@Number, 'Packing', @Proof, '[]', @Now, @Now)
                """,
                new { Number = (long)number, Proof = (long)proof, Now = now },
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

    /// <summary>The highest sector number of this miner any storage path declares a file of (0 without an index or declarations).</summary>
    private async Task<ulong> HighestDeclaredAsync(CancellationToken ct)
    {
        if (_index is null)
        {
            return 0;
        }

        ulong highest = 0;
        foreach (var decls in (await _index.StorageListAsync(ct).ConfigureAwait(false)).Values)
        {
            foreach (var d in decls)
            {
                if (d.Miner == _options.ActorId && d.Number > highest)
                {
                    highest = d.Number;
                }
            }
        }

        return highest;
    }

    /// <summary>Resumes every sector that was mid-way when the miner stopped.</summary>
    public async Task ResumeAsync(CancellationToken ct)
    {
        foreach (var s in await ListAsync(ct).ConfigureAwait(false))
        {
            if (s.State is not (SectorState.Proving or SectorState.Failed or SectorState.Removed))
            {
                Start(s.Number);
            }
        }
    }

    public async Task<IReadOnlyList<SectorRecord>> ListAsync(CancellationToken ct)
    {
        // One connection serves every sector's task and the API: reads take the gate as writes do (a SQLite connection
        // is not safe to use from two threads at once).
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var rows = await _db.QueryAsync<Row>(new CommandDefinition($"SELECT {Columns} FROM sectors ORDER BY number", cancellationToken: ct)).ConfigureAwait(false);
            return rows.Select(r => r.ToRecord()).ToList();
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<SectorRecord?> GetAsync(ulong number, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var row = await _db.QuerySingleOrDefaultAsync<Row>(new CommandDefinition($"SELECT {Columns} FROM sectors WHERE number = @N", new { N = (long)number }, cancellationToken: ct)).ConfigureAwait(false);
            return row?.ToRecord();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Waits until every sector in progress has reached a state it cannot leave on its own.</summary>
    public async Task WaitIdleAsync(CancellationToken ct)
    {
        while (true)
        {
            var running = _running.Values.Select(r => r.Task).ToArray();
            if (running.Length == 0)
            {
                return;
            }

            await Task.WhenAll(running).WaitAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Lotus <c>sectors update-state</c> (node/impl/storminer.go SectorsUpdate → the FSM's SectorForceState): the
    /// sector's loop stops, the sector is put in <paramref name="state"/> with its error cleared, and the pipeline
    /// carries on from there. Kiln's <c>sectors retry</c> and <c>sectors abort</c> are the two safe uses of it.
    /// </summary>
    /// <exception cref="SectorNotFoundException">No such sector.</exception>
    public async Task UpdateStateAsync(ulong number, SectorState state, CancellationToken ct)
    {
        _ = await GetAsync(number, ct).ConfigureAwait(false) ?? throw new SectorNotFoundException(number);
        await StopAsync(number).ConfigureAwait(false);
        var current = await GetAsync(number, ct).ConfigureAwait(false) ?? throw new SectorNotFoundException(number);
        await UpdateAsync(
            number,
            state,
            ct,
            error: state switch
            {
                SectorState.Removed => "removed by the operator (sectors abort)",
                SectorState.Failed => $"{current.State}: failed by the operator (sectors update-state)",
                _ => null,
            },
            failedIn: state == SectorState.Failed && current.State != SectorState.Failed ? current.State : null).ConfigureAwait(false);
        Log.Forced(_logger, number, state);
        Start(number);
    }

    /// <summary>
    /// <c>sectors retry N</c>: a Failed sector goes back to the state it failed in (Lotus's <c>*Failed</c> states
    /// retry their step: storage/pipeline/states_failed.go); returns that state.
    /// </summary>
    /// <exception cref="InvalidOperationException">The sector is not Failed.</exception>
    public async Task<SectorState> RetryAsync(ulong number, CancellationToken ct)
    {
        var s = await GetAsync(number, ct).ConfigureAwait(false) ?? throw new SectorNotFoundException(number);
        if (s.State != SectorState.Failed)
        {
            throw new InvalidOperationException($"sector {number} is {s.State}, not Failed: only a failed sector can be retried");
        }

        var to = s.FailedIn ?? SectorState.Packing;
        await UpdateStateAsync(number, to, ct).ConfigureAwait(false);
        return to;
    }

    /// <summary>
    /// <c>sectors abort N</c>: the sector stops sealing for good and goes to <see cref="SectorState.Removed"/> (Lotus's
    /// <c>sectors remove</c> ends in Removed). Its files stay where they are and its number is never handed out again.
    /// A Proving sector cannot be aborted: that would drop it from Window PoSt.
    /// </summary>
    /// <exception cref="InvalidOperationException">The sector is Proving.</exception>
    public async Task AbortAsync(ulong number, CancellationToken ct)
    {
        var s = await GetAsync(number, ct).ConfigureAwait(false) ?? throw new SectorNotFoundException(number);
        if (s.State == SectorState.Proving)
        {
            throw new InvalidOperationException($"sector {number} is Proving: aborting it would drop a proven sector from Window PoSt");
        }

        await UpdateStateAsync(number, SectorState.Removed, ct).ConfigureAwait(false);
    }

    private void Start(ulong number)
    {
        // The entry is in the table before its loop starts: a loop that ends at once (a held sector) then removes its
        // own entry, instead of finishing before it was added and leaving a finished entry that would block every
        // later start of the sector and keep WaitIdleAsync waiting.
        var cts = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        Running running = null!; // set below, before the loop starts
        var loop = new Task<Task>(() => ProcessUntilStoppedAsync(number, cts));
        running = new Running(loop.Unwrap(), cts);
        if (!_running.TryAdd(number, running))
        {
            cts.Dispose();
            return;
        }

        loop.Start(TaskScheduler.Default);

        async Task ProcessUntilStoppedAsync(ulong n, CancellationTokenSource stop)
        {
            try
            {
                await ProcessAsync(n, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            finally
            {
                _running.TryRemove(new KeyValuePair<ulong, Running>(n, running));
                stop.Dispose();
            }
        }
    }

    /// <summary>Stops the sector's loop (if it runs) and waits until it has.</summary>
    private async Task StopAsync(ulong number)
    {
        if (_running.TryGetValue(number, out var running))
        {
            try
            {
                await running.Cancel.CancelAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
            }

            await running.Task.ConfigureAwait(false);
        }
    }

    /// <summary>The delay before the <paramref name="attempt"/>-th retry in a row: 5 s, 10 s, 20 s, 40 s, then 1 min.</summary>
    public static TimeSpan RetryDelayFor(int attempt)
    {
        var factor = Math.Pow(2, Math.Clamp(attempt - 1, 0, 16));
        var delay = TimeSpan.FromTicks((long)Math.Min(RetryDelay.Ticks * factor, MaxRetryDelay.Ticks));
        return delay;
    }

    /// <summary>
    /// Temporary errors: Lotus's temporary call error codes (100, 101, 102), a worker the miner could not reach to
    /// dispatch the call at all (connection refused or dropped, a timeout), and any chain error: a sector does not fail
    /// because the full node is down or misconfigured; it waits in its state until the chain answers.
    /// </summary>
    internal static bool IsTransient(Exception e) => e switch
    {
        SealingException s => s.IsRetryable,
        ChainException => true,
        RpcException r => r.IsConnectionError,
        HttpRequestException or TimeoutException or System.Net.Sockets.SocketException => true,
        _ => false,
    };

    private async Task ProcessAsync(ulong number, CancellationToken ct)
    {
        var attempts = 0;
        while (!ct.IsCancellationRequested)
        {
            var s = await GetAsync(number, ct).ConfigureAwait(false);
            if (s is null || s.State is SectorState.Proving or SectorState.Failed or SectorState.Removed || s.State == _options.HoldSectorsAt)
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
                        await UpdateAsync(number, SectorState.PreCommit1, ct, pieces: [piece]).ConfigureAwait(false);
                        break;
                    case SectorState.PreCommit1 when s.Ticket is null:
                        // The ticket is kept with the sector before PC1 is dispatched: a restarted miner must ask for the same PC1.
                        var ticket = await _chain.SealTicketAsync(_options.ActorId, number, ct).ConfigureAwait(false);
                        await UpdateAsync(number, SectorState.PreCommit1, ct, ticket: ticket.Value, ticketEpoch: ticket.Epoch).ConfigureAwait(false);
                        break;
                    case SectorState.PreCommit1:
                        var pc1 = await _sealing.SealPreCommit1Async(sector, Required(s.Ticket, "ticket"), s.Pieces, ct).ConfigureAwait(false);
                        await UpdateAsync(number, SectorState.PreCommit2, ct, pc1: pc1).ConfigureAwait(false);
                        break;
                    case SectorState.PreCommit2:
                        var cids = await _sealing.SealPreCommit2Async(sector, Required(s.PreCommit1Out, "PreCommit1Out"), ct).ConfigureAwait(false);
                        await UpdateAsync(number, SectorState.WaitSeed, ct, cids: cids).ConfigureAwait(false);
                        break;
                    case SectorState.WaitSeed when s.PreCommitEpoch is null:
                        // No pre-commit message is sent yet: the head when the sector became ready to pre-commit stands in
                        // for the epoch its pre-commit landed, and is kept so a restarted miner waits for the same seed.
                        var preCommitEpoch = await _chain.HeadEpochAsync(ct).ConfigureAwait(false);
                        await UpdateAsync(number, SectorState.WaitSeed, ct, preCommitEpoch: preCommitEpoch).ConfigureAwait(false);
                        break;
                    case SectorState.WaitSeed:
                        var seed = await _chain.InteractiveSeedAsync(_options.ActorId, number, s.PreCommitEpoch ?? throw new InvalidOperationException("no pre-commit epoch recorded for the sector"), ct).ConfigureAwait(false);
                        await UpdateAsync(number, SectorState.Committing, ct, seed: seed.Value, seedEpoch: seed.Epoch).ConfigureAwait(false);
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

                attempts = 0;
            }
            catch (Exception e) when (e is not OperationCanceledException && IsTransient(e))
            {
                var delay = RetryDelayFor(++attempts);
                Log.Retrying(_logger, number, s.State, attempts, delay, e.Message);
                await Task.Delay(delay, _time, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.Failed(_logger, number, s.State, e.Message);
                await UpdateAsync(number, SectorState.Failed, ct, error: $"{s.State}: {e.Message}", failedIn: s.State).ConfigureAwait(false);
                return;
            }
        }
    }

    private static byte[] Required(byte[]? value, string what) => value ?? throw new InvalidOperationException($"no {what} recorded for the sector");

    private async Task UpdateAsync(ulong number, SectorState state, CancellationToken ct, IReadOnlyList<PieceInfo>? pieces = null, byte[]? ticket = null, byte[]? pc1 = null, string? error = null, SectorCids? cids = null, byte[]? seed = null, byte[]? proof = null, SectorState? failedIn = null, long? ticketEpoch = null, long? preCommitEpoch = null, long? seedEpoch = null)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await _db.ExecuteAsync(new CommandDefinition(
                """
                UPDATE sectors SET state = @State, updated_ms = @Now,
                    pieces = COALESCE(@Pieces, pieces), ticket = COALESCE(@Ticket, ticket),
                    pc1out = COALESCE(@Pc1, pc1out), error = @Error, cids = COALESCE(@Cids, cids),
                    seed = COALESCE(@Seed, seed), proof_bytes = COALESCE(@Proof, proof_bytes),
                    failed_state = COALESCE(@FailedIn, failed_state), ticket_epoch = COALESCE(@TicketEpoch, ticket_epoch),
                    precommit_epoch = COALESCE(@PreCommitEpoch, precommit_epoch), seed_epoch = COALESCE(@SeedEpoch, seed_epoch)
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
                    FailedIn = failedIn?.ToString(),
                    TicketEpoch = ticketEpoch,
                    PreCommitEpoch = preCommitEpoch,
                    SeedEpoch = seedEpoch,
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
            await Task.WhenAll(_running.Values.Select(r => r.Task).ToArray()).ConfigureAwait(false);
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
        "cids AS Cids, seed AS Seed, proof_bytes AS ProofBytes, failed_state AS FailedState, ticket_epoch AS TicketEpoch, precommit_epoch AS PreCommitEpoch, seed_epoch AS SeedEpoch";

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

        public string? FailedState { get; set; }

        public long? TicketEpoch { get; set; }

        public long? PreCommitEpoch { get; set; }

        public long? SeedEpoch { get; set; }

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
            FailedIn = FailedState is null ? null : Enum.Parse<SectorState>(FailedState),
            TicketEpoch = TicketEpoch,
            PreCommitEpoch = PreCommitEpoch,
            SeedEpoch = SeedEpoch,
        };
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5003, EventName = "SectorPledged", Level = LogLevel.Information, Message = "pledged sector {Sector}")]
        public static partial void Pledged(ILogger logger, ulong sector);

        [LoggerMessage(EventId = 5004, EventName = "SectorStateChanged", Level = LogLevel.Information, Message = "sector {Sector} is now {State}")]
        public static partial void State(ILogger logger, ulong sector, SectorState state);

        [LoggerMessage(EventId = 5005, EventName = "SectorRetrying", Level = LogLevel.Warning, Message = "sector {Sector} {State}: temporary error (attempt {Attempt}), retrying in {Delay}: {Reason}")]
        public static partial void Retrying(ILogger logger, ulong sector, SectorState state, int attempt, TimeSpan delay, string reason);

        [LoggerMessage(EventId = 5006, EventName = "SectorFailed", Level = LogLevel.Error, Message = "sector {Sector} failed in {State}: {Reason}")]
        public static partial void Failed(ILogger logger, ulong sector, SectorState state, string reason);

        [LoggerMessage(EventId = 5007, EventName = "SectorNumberFromIndex", Level = LogLevel.Warning, Message = "the storage index declares files of sector {Declared}, past the highest number the sectors database knows ({Known}): new sector numbers start after {Declared}")]
        public static partial void NumberFromIndex(ILogger logger, ulong declared, ulong known);

        [LoggerMessage(EventId = 5008, EventName = "SectorStateForced", Level = LogLevel.Warning, Message = "sector {Sector} forced to {State} (sectors update-state)")]
        public static partial void Forced(ILogger logger, ulong sector, SectorState state);
    }

    private sealed record Running(Task Task, CancellationTokenSource Cancel);
}
