using System.Collections.Concurrent;
using System.Text.Json;
using Dapper;
using Kiln.Api.Chain;
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
    private readonly ChainBatches _batches;
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
        _batches = new ChainBatches(chain, options.ActorId, options.Sealing, time, logger);
        _index = index;
        _time = time;
        _logger = logger;
    }

    /// <summary>The pre-commit and commit batches (<c>sectors batching</c>).</summary>
    public IBatchQueues Batches => _batches;

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
                precommit_msg TEXT NULL,
                precommit_exit INTEGER NULL,
                precommit_deposit TEXT NULL,
                commit_msg TEXT NULL,
                commit_exit INTEGER NULL,
                expiration INTEGER NULL,
                activation INTEGER NULL,
                deadline INTEGER NULL,
                partition_index INTEGER NULL,
                retries INTEGER NOT NULL DEFAULT 0,
                initial_pledge TEXT NULL,
                created_ms INTEGER NOT NULL,
                updated_ms INTEGER NOT NULL
            );
            CREATE TABLE IF NOT EXISTS sector_numbers (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                next INTEGER NOT NULL
            );
            """,
            MinerDatabases.RestoreHint(databasePath),
            ct).ConfigureAwait(false);

        // Databases of earlier releases lack the later stages' columns.
        var columns = (await db.QueryAsync<string>(new CommandDefinition("SELECT name FROM pragma_table_info('sectors')", cancellationToken: ct)).ConfigureAwait(false)).ToHashSet();
        foreach (var (column, type) in new[]
        {
            ("cids", "TEXT NULL"), ("seed", "BLOB NULL"), ("proof_bytes", "BLOB NULL"), ("failed_state", "TEXT NULL"), ("ticket_epoch", "INTEGER NULL"),
            ("precommit_epoch", "INTEGER NULL"), ("seed_epoch", "INTEGER NULL"), ("precommit_msg", "TEXT NULL"), ("precommit_exit", "INTEGER NULL"),
            ("precommit_deposit", "TEXT NULL"), ("commit_msg", "TEXT NULL"), ("commit_exit", "INTEGER NULL"), ("expiration", "INTEGER NULL"),
            ("activation", "INTEGER NULL"), ("deadline", "INTEGER NULL"), ("partition_index", "INTEGER NULL"), ("retries", "INTEGER NOT NULL DEFAULT 0"), ("initial_pledge", "TEXT NULL"),
        })
        {
            if (!columns.Contains(column))
            {
                await db.ExecuteAsync(new CommandDefinition($"ALTER TABLE sectors ADD COLUMN {column} {type}", cancellationToken: ct)).ConfigureAwait(false);
            }
        }

        return new SectorPipeline(db, options, sealing, chain, index, time, logger);
    }

    /// <summary>
    /// Creates the next CC sector and starts sealing it. Its number (Lotus storage/pipeline/numassign.go
    /// NextSectorNumber) is the first past every number in use: the persisted counter, every sector this database
    /// knows, every number the miner actor has allocated on chain (StateMinerAllocated) and every sector the storage
    /// index declares for this miner; the counter moves past it before the sector exists, so no number is handed out
    /// twice even if the database is rebuilt.
    /// </summary>
    /// <exception cref="ChainException">The chain cannot say which numbers are allocated.</exception>
    public async Task<SectorId> PledgeAsync(CancellationToken ct)
    {
        var proof = Kiln.Proofs.SealProofInfo.ForSectorSize(_options.SectorBytes).Proof;
        var allocated = await _chain.AllocatedSectorsAsync(_options.ActorId, ct).ConfigureAwait(false);
        var onChain = allocated.IsEmpty ? 0 : allocated.Max() + 1;
        ulong number;
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var declared = await HighestDeclaredAsync(ct).ConfigureAwait(false);
            var known = (ulong)await _db.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COALESCE(MAX(number), 0) FROM sectors", cancellationToken: ct)).ConfigureAwait(false);
            var counter = (ulong)await _db.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COALESCE(MAX(next), 0) FROM sector_numbers", cancellationToken: ct)).ConfigureAwait(false);
            if (declared > known)
            {
                Log.NumberFromIndex(_logger, declared, known);
            }

            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            number = Math.Max(Math.Max(declared, known) + 1, Math.Max(counter, onChain));
            using var tx = _db.BeginTransaction();
            await _db.ExecuteAsync(new CommandDefinition(
                "INSERT INTO sector_numbers (id, next) VALUES (1, @Next) ON CONFLICT (id) DO UPDATE SET next = excluded.next",
                new { Next = (long)number + 1 },
                tx,
                cancellationToken: ct)).ConfigureAwait(false);
            await _db.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO sectors (number, state, proof, pieces, created_ms, updated_ms)
                VALUES (@Number, 'Packing', @Proof, '[]', @Now, @Now)
                """,
                new { Number = (long)number, Proof = (long)proof, Now = now },
                tx,
                cancellationToken: ct)).ConfigureAwait(false);
            tx.Commit();
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

            try
            {
                await StepAsync(s, ct).ConfigureAwait(false);
                attempts = 0;
            }
            catch (Exception e) when (e is not OperationCanceledException && IsTransient(e))
            {
                var delay = RetryDelayFor(++attempts);
                Log.Retrying(_logger, number, s.State, attempts, delay, e.Message);
                await UpdateAsync(number, s.State, ct, error: $"{s.State}: temporary error, retrying (attempt {attempts}): {e.Message}").ConfigureAwait(false);
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

    /// <summary>One step of the sector's state machine (Lotus storage/pipeline/fsm.go and the states_*.go handlers).</summary>
    private async Task StepAsync(SectorRecord s, CancellationToken ct)
    {
        var number = s.Number;
        var sector = new SectorRef(new SectorId(_options.ActorId, number), s.Proof);
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
                await UpdateAsync(number, SectorState.SubmitPreCommitBatch, ct, cids: cids).ConfigureAwait(false);
                break;
            case SectorState.SubmitPreCommitBatch:
                await SubmitPreCommitAsync(s, ct).ConfigureAwait(false);
                break;
            case SectorState.PreCommitBatchWait:
                await WaitPreCommitAsync(s, ct).ConfigureAwait(false);
                break;
            case SectorState.WaitSeed:
                await WaitSeedAsync(s, ct).ConfigureAwait(false);
                break;
            case SectorState.Committing:
                // As in Lotus, Commit1's output is not kept: a miner restarted between C1 and C2 runs C1 again.
                var c1 = await _sealing.SealCommit1Async(sector, Required(s.Ticket, "ticket"), Required(s.Seed, "seed"), s.Pieces, s.Cids ?? throw new InvalidOperationException("no sector CIDs recorded"), ct).ConfigureAwait(false);
                var proof = await _sealing.SealCommit2Async(sector, c1, ct).ConfigureAwait(false);
                await UpdateAsync(number, SectorState.SubmitCommitAggregate, ct, proof: proof).ConfigureAwait(false);
                break;
            case SectorState.SubmitCommitAggregate:
                await SubmitCommitAsync(s, ct).ConfigureAwait(false);
                break;
            case SectorState.CommitAggregateWait:
                await WaitCommitAsync(s, ct).ConfigureAwait(false);
                break;
            case SectorState.FinalizeSector:
                await _sealing.FinalizeSectorAsync(sector, ct).ConfigureAwait(false);
                await UpdateAsync(number, SectorState.Proving, ct).ConfigureAwait(false);
                break;
            case SectorState.PreCommitFailed:
                await RecoverPreCommitAsync(s, ct).ConfigureAwait(false);
                break;
            case SectorState.CommitFailed:
                await RecoverCommitAsync(s, ct).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>
    /// Lotus states_sealing.go handleSubmitPreCommitBatch / preCommitInfo: checks the ticket's age (an expired ticket is
    /// drawn again and PC1 runs again, checks.go ErrExpiredTicket) and whether the chain already holds the pre-commit,
    /// builds the sector's SectorPreCommitInfo with its expiration, asks the deposit, and waits in the pre-commit batch.
    /// </summary>
    private async Task SubmitPreCommitAsync(SectorRecord s, CancellationToken ct)
    {
        var number = s.Number;
        var cids = s.Cids ?? throw new InvalidOperationException("no sector CIDs recorded: PreCommit2 has not run");
        var head = await _chain.HeadAsync(ct).ConfigureAwait(false);
        var network = await _chain.NetworkParamsAsync(ct).ConfigureAwait(false);
        var ticketEpoch = s.TicketEpoch ?? throw new InvalidOperationException("no ticket epoch recorded");
        if (SealingPolicy.TicketExpired(ticketEpoch, head.Height))
        {
            Log.TicketExpired(_logger, number, ticketEpoch, head.Height);
            await UpdateAsync(number, SectorState.PreCommit1, ct, error: $"ticket drawn at {ticketEpoch} expired at head {head.Height} (older than {ChainPolicy.MaxPreCommitRandomnessLookback} epochs): drawing a new ticket and running PreCommit1 again", clear: Clear.Ticket | Clear.PreCommitMessage).ConfigureAwait(false);
            return;
        }

        var onChain = await _chain.PreCommitInfoAsync(_options.ActorId, number, ct).ConfigureAwait(false);
        if (onChain is not null)
        {
            if (onChain.Info.SealedCID == cids.Sealed)
            {
                await UpdateAsync(number, SectorState.WaitSeed, ct, preCommitEpoch: onChain.PreCommitEpoch).ConfigureAwait(false);
                return;
            }

            throw new ChainException($"sector {number} is already pre-committed on chain with sealed CID {onChain.Info.SealedCID}, not this sector's {cids.Sealed}", isRetryable: false);
        }

        var info = new SectorPreCommitInfo
        {
            SealProof = s.Proof,
            SectorNumber = number,
            SealedCID = cids.Sealed,
            SealRandEpoch = ticketEpoch,
            DealIDs = [],
            Expiration = SealingPolicy.Expiration(head.Height, ticketEpoch, network.PreCommitChallengeDelay, _options.Sealing.CommittedCapacitySectorLifetime),
            UnsealedCid = null, // Lotus sends UnsealedCid only for sectors with deal data; the pipeline seals CC sectors
        };
        var deposit = await _chain.PreCommitDepositAsync(_options.ActorId, info, ct).ConfigureAwait(false);
        await UpdateAsync(number, SectorState.SubmitPreCommitBatch, ct, expiration: info.Expiration, deposit: deposit).ConfigureAwait(false);
        var cutoff = _time.GetUtcNow() + EpochsToTime(ticketEpoch + ChainPolicy.MaxPreCommitRandomnessLookback - head.Height, network);
        var result = await BatchAsync(() => _batches.PreCommits.AddAsync(new BatchEntry<PreCommitEntry>(number, new PreCommitEntry(info, deposit), deposit, cutoff), ct)).ConfigureAwait(false);
        if (result.Message is not { } message)
        {
            await FailAsync(number, SectorState.PreCommitFailed, $"pre-commit batch not sent: {result.Error}", ct).ConfigureAwait(false);
            return;
        }

        await UpdateAsync(number, SectorState.PreCommitBatchWait, ct, preCommitMessage: message).ConfigureAwait(false);
    }

    /// <summary>Lotus handlePreCommitWait: StateWaitMsg with MessageConfidence, then the receipt's exit code decides.</summary>
    private async Task WaitPreCommitAsync(SectorRecord s, CancellationToken ct)
    {
        var message = s.PreCommitMessage ?? throw new InvalidOperationException("no pre-commit message recorded");
        var lookup = await _chain.WaitMessageAsync(message, _options.Sealing.MessageConfidence, ct).ConfigureAwait(false);
        var exit = lookup.Receipt.ExitCode;
        switch (exit)
        {
            case ExitCodes.Ok:
                Log.PreCommitLanded(_logger, s.Number, message, lookup.Height);
                await UpdateAsync(s.Number, SectorState.WaitSeed, ct, preCommitExit: exit).ConfigureAwait(false);
                break;
            case ExitCodes.SysErrInsufficientFunds or ExitCodes.SysErrOutOfGas:
                // The gas estimate or the funds fell short: pre-commit again (Lotus SectorRetryPreCommit).
                await UpdateAsync(s.Number, SectorState.SubmitPreCommitBatch, ct, preCommitExit: exit, error: $"pre-commit message {message} failed with {ExitCodes.Describe(exit)}: sending it again", clear: Clear.PreCommitMessage).ConfigureAwait(false);
                break;
            default:
                await FailAsync(s.Number, SectorState.PreCommitFailed, $"sector precommit failed: message {message} exited with {ExitCodes.Describe(exit)} at epoch {lookup.Height}", ct, preCommitExit: exit).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>
    /// Lotus handleWaitSeed: the pre-commit's epoch from the chain, the seed epoch PreCommitChallengeDelay after it, the
    /// seed drawn InteractivePoRepConfidence epochs later. A pre-commit that left the chain meanwhile (a reorganisation
    /// dropped its message) is noticed before the seed is used: the sector goes to PreCommitFailed, which waits for the
    /// message to land again or sends the pre-commit again.
    /// </summary>
    private async Task WaitSeedAsync(SectorRecord s, CancellationToken ct)
    {
        var onChain = await _chain.PreCommitInfoAsync(_options.ActorId, s.Number, ct).ConfigureAwait(false);
        if (onChain is null)
        {
            await FailAsync(s.Number, SectorState.PreCommitFailed, "precommit info not found on chain", ct).ConfigureAwait(false);
            return;
        }

        if (s.PreCommitEpoch != onChain.PreCommitEpoch)
        {
            await UpdateAsync(s.Number, SectorState.WaitSeed, ct, preCommitEpoch: onChain.PreCommitEpoch).ConfigureAwait(false);
        }

        var seed = await _chain.InteractiveSeedAsync(_options.ActorId, s.Number, onChain.PreCommitEpoch, ct).ConfigureAwait(false);
        var after = await _chain.PreCommitInfoAsync(_options.ActorId, s.Number, ct).ConfigureAwait(false);
        if (after is null || after.PreCommitEpoch != onChain.PreCommitEpoch)
        {
            Log.PreCommitReorged(_logger, s.Number, onChain.PreCommitEpoch, after?.PreCommitEpoch);
            if (after is null)
            {
                await FailAsync(s.Number, SectorState.PreCommitFailed, $"the pre-commit landed at epoch {onChain.PreCommitEpoch} left the chain while the sector waited for its seed (reorganisation)", ct).ConfigureAwait(false);
            }
            else
            {
                await UpdateAsync(s.Number, SectorState.WaitSeed, ct, preCommitEpoch: after.PreCommitEpoch, error: $"the pre-commit moved from epoch {onChain.PreCommitEpoch} to {after.PreCommitEpoch} (reorganisation): waiting for the new seed").ConfigureAwait(false);
            }

            return;
        }

        await UpdateAsync(s.Number, SectorState.Committing, ct, seed: seed.Value, seedEpoch: seed.Epoch).ConfigureAwait(false);
    }

    /// <summary>
    /// Lotus handleSubmitCommitAggregate with checks.go checkCommit: the pre-commit must still be on chain and the seed
    /// at the seed epoch unchanged (else the sector waits for its seed again); the pledge from
    /// StateMinerInitialPledgeCollateral; then the sector waits in the commit batch.
    /// </summary>
    private async Task SubmitCommitAsync(SectorRecord s, CancellationToken ct)
    {
        var number = s.Number;
        var proof = s.PoRepProof ?? throw new InvalidOperationException("no PoRep proof recorded: Commit2 has not run");
        var onChain = await _chain.PreCommitInfoAsync(_options.ActorId, number, ct).ConfigureAwait(false);
        if (onChain is null)
        {
            await FailAsync(number, SectorState.CommitFailed, "no pre-commit on chain for the sector", ct).ConfigureAwait(false);
            return;
        }

        var seed = await _chain.InteractiveSeedAsync(_options.ActorId, number, onChain.PreCommitEpoch, ct).ConfigureAwait(false);
        if (s.Seed is null || !seed.Value.AsSpan().SequenceEqual(s.Seed) || seed.Epoch != s.SeedEpoch)
        {
            Log.SeedChanged(_logger, number, s.SeedEpoch, seed.Epoch);
            await UpdateAsync(number, SectorState.WaitSeed, ct, preCommitEpoch: onChain.PreCommitEpoch, error: $"the seed changed (epoch {s.SeedEpoch} → {seed.Epoch}): proving again with the new seed", clear: Clear.Seed).ConfigureAwait(false);
            return;
        }

        var pledge = await _chain.InitialPledgeAsync(_options.ActorId, onChain.Info, ct).ConfigureAwait(false);
        var head = await _chain.HeadAsync(ct).ConfigureAwait(false);
        var network = await _chain.NetworkParamsAsync(ct).ConfigureAwait(false);
        var cutoff = _time.GetUtcNow() + EpochsToTime(onChain.PreCommitEpoch + ChainPolicy.MaxProveCommitDuration(network.PreCommitChallengeDelay) - head.Height, network);
        var entry = new CommitEntry(new SectorActivationManifest(number, []), proof, pledge);
        var result = await BatchAsync(() => _batches.Commits.AddAsync(new BatchEntry<CommitEntry>(number, entry, pledge, cutoff), ct)).ConfigureAwait(false);
        if (result.FailedSectors.TryGetValue(number, out var failed))
        {
            await FailAsync(number, SectorState.CommitFailed, $"sector failed in the commit batch: {failed}", ct).ConfigureAwait(false);
            return;
        }

        if (result.Message is not { } message)
        {
            await FailAsync(number, SectorState.CommitFailed, $"commit batch not sent: {result.Error}", ct).ConfigureAwait(false);
            return;
        }

        await UpdateAsync(number, SectorState.CommitAggregateWait, ct, commitMessage: message).ConfigureAwait(false);
    }

    /// <summary>
    /// Lotus handleCommitWait: StateWaitMsg, the exit code, then the sector must be in the miner's sector set
    /// (StateSectorGetInfo at the message's tipset); its deadline and partition come from StateSectorPartition.
    /// </summary>
    private async Task WaitCommitAsync(SectorRecord s, CancellationToken ct)
    {
        var message = s.CommitMessage ?? throw new InvalidOperationException("no commit message recorded");
        var lookup = await _chain.WaitMessageAsync(message, _options.Sealing.MessageConfidence, ct).ConfigureAwait(false);
        var exit = lookup.Receipt.ExitCode;
        switch (exit)
        {
            case ExitCodes.Ok:
                break;
            case ExitCodes.SysErrInsufficientFunds or ExitCodes.SysErrOutOfGas:
                await UpdateAsync(s.Number, SectorState.SubmitCommitAggregate, ct, commitExit: exit, error: $"commit message {message} failed with {ExitCodes.Describe(exit)}: sending it again", clear: Clear.CommitMessage).ConfigureAwait(false);
                return;
            default:
                await FailAsync(s.Number, SectorState.CommitFailed, $"submitting sector proof failed (exit {ExitCodes.Describe(exit)}, message {message})", ct, commitExit: exit).ConfigureAwait(false);
                return;
        }

        var info = await _chain.SectorInfoAsync(_options.ActorId, s.Number, lookup.TipSet, ct).ConfigureAwait(false);
        if (info is null)
        {
            await FailAsync(s.Number, SectorState.CommitFailed, $"proof validation failed: sector not found in the miner's sector set after message {message} (exit 0)", ct, commitExit: exit).ConfigureAwait(false);
            return;
        }

        var location = await _chain.SectorPartitionAsync(_options.ActorId, s.Number, ct).ConfigureAwait(false);
        Log.Active(_logger, s.Number, info.Activation, location?.Deadline, location?.Partition);
        await UpdateAsync(s.Number, SectorState.FinalizeSector, ct, commitExit: exit, activation: info.Activation, pledge: info.InitialPledge, deadline: location is null ? null : (int)location.Deadline, partition: location is null ? null : (int)location.Partition).ConfigureAwait(false);
    }

    /// <summary>
    /// Lotus states_failed.go handlePreCommitFailed, after its cooldown: a message not on chain (or on chain with exit 0)
    /// is waited for again; out of gas sends the pre-commit again; an expired ticket draws a new one; a pre-commit on
    /// chain with this sector's sealed CID goes on to the seed; anything else sends the pre-commit again.
    /// </summary>
    private async Task RecoverPreCommitAsync(SectorRecord s, CancellationToken ct)
    {
        await CooldownAsync(s, ct).ConfigureAwait(false);
        if (s.PreCommitMessage is { } message)
        {
            var lookup = await _chain.SearchMessageAsync(message, ct).ConfigureAwait(false);
            if (lookup is null || lookup.Receipt.ExitCode == ExitCodes.Ok)
            {
                await UpdateAsync(s.Number, SectorState.PreCommitBatchWait, ct).ConfigureAwait(false);
                return;
            }

            if (lookup.Receipt.ExitCode == ExitCodes.SysErrOutOfGas)
            {
                await UpdateAsync(s.Number, SectorState.SubmitPreCommitBatch, ct, clear: Clear.PreCommitMessage).ConfigureAwait(false);
                return;
            }
        }

        var head = await _chain.HeadAsync(ct).ConfigureAwait(false);
        if (s.TicketEpoch is { } ticketEpoch && SealingPolicy.TicketExpired(ticketEpoch, head.Height))
        {
            await UpdateAsync(s.Number, SectorState.PreCommit1, ct, error: $"ticket drawn at {ticketEpoch} expired at head {head.Height}: drawing a new ticket and running PreCommit1 again", clear: Clear.Ticket | Clear.PreCommitMessage).ConfigureAwait(false);
            return;
        }

        var onChain = await _chain.PreCommitInfoAsync(_options.ActorId, s.Number, ct).ConfigureAwait(false);
        if (onChain is not null && s.Cids is { } cids)
        {
            if (onChain.Info.SealedCID != cids.Sealed)
            {
                await UpdateAsync(s.Number, SectorState.Failed, ct, error: $"PreCommitFailed: sector {s.Number} is pre-committed on chain with sealed CID {onChain.Info.SealedCID}, not this sector's {cids.Sealed}: the number was used by another pre-commit; abort the sector (sectors abort)", failedIn: SectorState.PreCommitFailed).ConfigureAwait(false);
                return;
            }

            await UpdateAsync(s.Number, SectorState.WaitSeed, ct, preCommitEpoch: onChain.PreCommitEpoch).ConfigureAwait(false);
            return;
        }

        await UpdateAsync(s.Number, SectorState.SubmitPreCommitBatch, ct, clear: Clear.PreCommitMessage).ConfigureAwait(false);
    }

    /// <summary>
    /// Lotus states_failed.go handleCommitFailed, after its cooldown: a message not on chain (or on chain with exit 0
    /// and the sector active) is waited for again; out of gas sends the proof again; with no pre-commit on chain the
    /// sector pre-commits again; a changed seed waits for the new one; otherwise the proof is computed again.
    /// </summary>
    private async Task RecoverCommitAsync(SectorRecord s, CancellationToken ct)
    {
        await CooldownAsync(s, ct).ConfigureAwait(false);
        if (s.CommitMessage is { } message)
        {
            var lookup = await _chain.SearchMessageAsync(message, ct).ConfigureAwait(false);
            if (lookup is null)
            {
                await UpdateAsync(s.Number, SectorState.CommitAggregateWait, ct).ConfigureAwait(false);
                return;
            }

            if (lookup.Receipt.ExitCode == ExitCodes.Ok && await _chain.SectorInfoAsync(_options.ActorId, s.Number, lookup.TipSet, ct).ConfigureAwait(false) is not null)
            {
                await UpdateAsync(s.Number, SectorState.CommitAggregateWait, ct).ConfigureAwait(false);
                return;
            }

            if (lookup.Receipt.ExitCode == ExitCodes.SysErrOutOfGas)
            {
                await UpdateAsync(s.Number, SectorState.SubmitCommitAggregate, ct, clear: Clear.CommitMessage).ConfigureAwait(false);
                return;
            }
        }

        var onChain = await _chain.PreCommitInfoAsync(_options.ActorId, s.Number, ct).ConfigureAwait(false);
        if (onChain is null)
        {
            if (await _chain.SectorInfoAsync(_options.ActorId, s.Number, null, ct).ConfigureAwait(false) is not null)
            {
                // Proven meanwhile (a commit message this record does not know landed): carry on as active.
                var location = await _chain.SectorPartitionAsync(_options.ActorId, s.Number, ct).ConfigureAwait(false);
                await UpdateAsync(s.Number, SectorState.FinalizeSector, ct, deadline: location is null ? null : (int)location.Deadline, partition: location is null ? null : (int)location.Partition).ConfigureAwait(false);
                return;
            }

            await UpdateAsync(s.Number, SectorState.SubmitPreCommitBatch, ct, error: "no pre-commit on chain: pre-committing again", clear: Clear.PreCommitMessage | Clear.CommitMessage | Clear.Seed).ConfigureAwait(false);
            return;
        }

        var seed = await _chain.InteractiveSeedAsync(_options.ActorId, s.Number, onChain.PreCommitEpoch, ct).ConfigureAwait(false);
        if (s.Seed is null || !seed.Value.AsSpan().SequenceEqual(s.Seed))
        {
            await UpdateAsync(s.Number, SectorState.WaitSeed, ct, preCommitEpoch: onChain.PreCommitEpoch, clear: Clear.Seed | Clear.CommitMessage).ConfigureAwait(false);
            return;
        }

        await UpdateAsync(s.Number, SectorState.Committing, ct, clear: Clear.CommitMessage).ConfigureAwait(false);
    }

    /// <summary>Lotus failedCooldown: a failed sector waits MinRetryTime from when it failed before its retry.</summary>
    private async Task CooldownAsync(SectorRecord s, CancellationToken ct)
    {
        var wait = s.Updated + _options.Sealing.MinRetryTime - _time.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            Log.Cooldown(_logger, s.Number, s.State, wait);
            await Task.Delay(wait, _time, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Waits in a batch. A node that is down while the batch is sent (a retryable chain error) keeps the sector in its
    /// state, retried with the growing delay; any other failure to send is the batch's error.
    /// </summary>
    private static async Task<BatchResult> BatchAsync(Func<Task<BatchResult>> add)
    {
        try
        {
            return await add().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException && !RetryInState(e))
        {
            return new BatchResult([], null, e.Message);
        }

        static bool RetryInState(Exception e) => e is ChainException chain ? chain.IsRetryable : IsTransient(e);
    }

    private async Task FailAsync(ulong number, SectorState state, string reason, CancellationToken ct, long? preCommitExit = null, long? commitExit = null)
    {
        Log.ChainFailed(_logger, number, state, reason);
        await UpdateAsync(number, state, ct, error: reason, preCommitExit: preCommitExit, commitExit: commitExit, retry: true).ConfigureAwait(false);
    }

    /// <summary>The wall time <paramref name="epochs"/> take at the network's block delay (never negative).</summary>
    private static TimeSpan EpochsToTime(long epochs, NetworkParams network) =>
        TimeSpan.FromSeconds(Math.Max(0, epochs) * (double)Math.Max(1UL, network.BlockDelaySecs));

    private static byte[] Required(byte[]? value, string what) => value ?? throw new InvalidOperationException($"no {what} recorded for the sector");

    /// <summary>Fields a state change clears (set back to NULL).</summary>
    [Flags]
    private enum Clear
    {
        None = 0,
        Ticket = 1,
        PreCommitMessage = 2,
        CommitMessage = 4,
        Seed = 8,
    }

    private async Task UpdateAsync(ulong number, SectorState state, CancellationToken ct, IReadOnlyList<PieceInfo>? pieces = null, byte[]? ticket = null, byte[]? pc1 = null, string? error = null, SectorCids? cids = null, byte[]? seed = null, byte[]? proof = null, SectorState? failedIn = null, long? ticketEpoch = null, long? preCommitEpoch = null, long? seedEpoch = null, Cid? preCommitMessage = null, long? preCommitExit = null, TokenAmount? deposit = null, Cid? commitMessage = null, long? commitExit = null, long? expiration = null, long? activation = null, TokenAmount? pledge = null, int? deadline = null, int? partition = null, bool retry = false, Clear clear = Clear.None)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await _db.ExecuteAsync(new CommandDefinition(
                """
                UPDATE sectors SET state = @State, updated_ms = @Now,
                    pieces = COALESCE(@Pieces, pieces),
                    ticket = CASE WHEN @ClearTicket THEN NULL ELSE COALESCE(@Ticket, ticket) END,
                    ticket_epoch = CASE WHEN @ClearTicket THEN NULL ELSE COALESCE(@TicketEpoch, ticket_epoch) END,
                    pc1out = CASE WHEN @ClearTicket THEN NULL ELSE COALESCE(@Pc1, pc1out) END,
                    error = @Error, cids = COALESCE(@Cids, cids),
                    seed = CASE WHEN @ClearSeed THEN NULL ELSE COALESCE(@Seed, seed) END,
                    seed_epoch = CASE WHEN @ClearSeed THEN NULL ELSE COALESCE(@SeedEpoch, seed_epoch) END,
                    proof_bytes = CASE WHEN @ClearSeed THEN NULL ELSE COALESCE(@Proof, proof_bytes) END,
                    failed_state = COALESCE(@FailedIn, failed_state),
                    precommit_epoch = COALESCE(@PreCommitEpoch, precommit_epoch),
                    precommit_msg = CASE WHEN @ClearPreCommit THEN NULL ELSE COALESCE(@PreCommitMessage, precommit_msg) END,
                    precommit_exit = CASE WHEN @ClearPreCommit THEN NULL ELSE COALESCE(@PreCommitExit, precommit_exit) END,
                    precommit_deposit = COALESCE(@Deposit, precommit_deposit),
                    commit_msg = CASE WHEN @ClearCommit THEN NULL ELSE COALESCE(@CommitMessage, commit_msg) END,
                    commit_exit = CASE WHEN @ClearCommit THEN NULL ELSE COALESCE(@CommitExit, commit_exit) END,
                    expiration = COALESCE(@Expiration, expiration), activation = COALESCE(@Activation, activation),
                    initial_pledge = COALESCE(@Pledge, initial_pledge),
                    deadline = COALESCE(@Deadline, deadline), partition_index = COALESCE(@Partition, partition_index),
                    retries = CASE WHEN @Retry THEN retries + 1 WHEN @State = 'Proving' THEN 0 ELSE retries END
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
                    PreCommitMessage = preCommitMessage?.ToString(),
                    PreCommitExit = preCommitExit,
                    Deposit = deposit?.Atto.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    CommitMessage = commitMessage?.ToString(),
                    CommitExit = commitExit,
                    Expiration = expiration,
                    Activation = activation,
                    Pledge = pledge?.Atto.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Deadline = deadline,
                    Partition = partition,
                    Retry = retry,
                    ClearTicket = clear.HasFlag(Clear.Ticket),
                    ClearSeed = clear.HasFlag(Clear.Seed),
                    ClearPreCommit = clear.HasFlag(Clear.PreCommitMessage),
                    ClearCommit = clear.HasFlag(Clear.CommitMessage),
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

        await _batches.DisposeAsync().ConfigureAwait(false);
        await _db.DisposeAsync().ConfigureAwait(false);
        _gate.Dispose();
        _stopping.Dispose();
    }

    private const string Columns =
        "number AS Number, state AS State, proof AS Proof, pieces AS Pieces, ticket AS Ticket, pc1out AS Pc1Out, error AS Error, created_ms AS CreatedMs, updated_ms AS UpdatedMs, " +
        "cids AS Cids, seed AS Seed, proof_bytes AS ProofBytes, failed_state AS FailedState, ticket_epoch AS TicketEpoch, precommit_epoch AS PreCommitEpoch, seed_epoch AS SeedEpoch, " +
        "precommit_msg AS PreCommitMessage, precommit_exit AS PreCommitExit, precommit_deposit AS PreCommitDeposit, commit_msg AS CommitMessage, commit_exit AS CommitExit, " +
        "expiration AS Expiration, activation AS Activation, deadline AS Deadline, partition_index AS PartitionIndex, retries AS Retries, initial_pledge AS InitialPledge";

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

        public string? PreCommitMessage { get; set; }

        public long? PreCommitExit { get; set; }

        public string? PreCommitDeposit { get; set; }

        public string? CommitMessage { get; set; }

        public long? CommitExit { get; set; }

        public long? Expiration { get; set; }

        public long? Activation { get; set; }

        public long? Deadline { get; set; }

        public long? PartitionIndex { get; set; }

        public long Retries { get; set; }

        public string? InitialPledge { get; set; }

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
            PreCommitMessage = PreCommitMessage is null ? null : Cid.Parse(PreCommitMessage),
            PreCommitExitCode = PreCommitExit,
            PreCommitDeposit = PreCommitDeposit is null ? null : new TokenAmount(System.Numerics.BigInteger.Parse(PreCommitDeposit, System.Globalization.CultureInfo.InvariantCulture)),
            CommitMessage = CommitMessage is null ? null : Cid.Parse(CommitMessage),
            CommitExitCode = CommitExit,
            Expiration = Expiration,
            ActivationEpoch = Activation,
            Deadline = Deadline is null ? null : (int)Deadline,
            Partition = PartitionIndex is null ? null : (int)PartitionIndex,
            Retries = (int)Retries,
            InitialPledge = InitialPledge is null ? null : new TokenAmount(System.Numerics.BigInteger.Parse(InitialPledge, System.Globalization.CultureInfo.InvariantCulture)),
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

        [LoggerMessage(EventId = 5010, EventName = "SectorTicketExpired", Level = LogLevel.Warning, Message = "sector {Sector}: ticket drawn at epoch {TicketEpoch} expired at head {Head}: drawing a new ticket, PreCommit1 runs again")]
        public static partial void TicketExpired(ILogger logger, ulong sector, long ticketEpoch, long head);

        [LoggerMessage(EventId = 5011, EventName = "SectorPreCommitLanded", Level = LogLevel.Information, Message = "sector {Sector}: pre-commit message {Message} landed at epoch {Height}")]
        public static partial void PreCommitLanded(ILogger logger, ulong sector, Cid message, long height);

        [LoggerMessage(EventId = 5012, EventName = "SectorPreCommitReorged", Level = LogLevel.Warning, Message = "sector {Sector}: the pre-commit at epoch {Epoch} changed while waiting for the seed (now {Now}): reorganisation")]
        public static partial void PreCommitReorged(ILogger logger, ulong sector, long epoch, long? now);

        [LoggerMessage(EventId = 5013, EventName = "SectorSeedChanged", Level = LogLevel.Warning, Message = "sector {Sector}: the seed changed (epoch {Was} → {Now}): waiting for the seed again")]
        public static partial void SeedChanged(ILogger logger, ulong sector, long? was, long now);

        [LoggerMessage(EventId = 5014, EventName = "SectorActive", Level = LogLevel.Information, Message = "sector {Sector} is active on chain since epoch {Activation}, deadline {Deadline} partition {Partition}")]
        public static partial void Active(ILogger logger, ulong sector, long activation, ulong? deadline, ulong? partition);

        [LoggerMessage(EventId = 5015, EventName = "SectorRetryCooldown", Level = LogLevel.Information, Message = "sector {Sector} {State}: waiting {Wait} before retrying")]
        public static partial void Cooldown(ILogger logger, ulong sector, SectorState state, TimeSpan wait);

        [LoggerMessage(EventId = 5016, EventName = "SectorChainStepFailed", Level = LogLevel.Error, Message = "sector {Sector} → {State}: {Reason}")]
        public static partial void ChainFailed(ILogger logger, ulong sector, SectorState state, string reason);
    }

    private sealed record Running(Task Task, CancellationTokenSource Cancel);
}
