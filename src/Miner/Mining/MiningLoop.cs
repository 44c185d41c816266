using System.Text.Json;
using Kiln.Api.Chain;
using Kiln.Api.Types;
using Kiln.Miner.Chain;
using Kiln.Miner.Jobs;
using Kiln.Miner.Proving;
using Kiln.Proofs.Hashing;

namespace Kiln.Miner.Mining;

/// <summary>
/// The block producer (Lotus miner/miner.go <c>mine</c> / <c>mineOne</c>): on each new head, for round = base height
/// + null rounds + 1, the mining base from <c>MinerGetBaseInfo</c>; when eligible, the ticket and the election (both
/// VRFs signed with the worker key through the node's <c>WalletSign</c> over randomness drawn from the round's beacon
/// entry), the win count as Lotus's <see cref="ElectionProof.ComputeWinCount(System.Numerics.BigInteger, System.Numerics.BigInteger)"/>
/// counts it; when won, the Winning PoSt through the <see cref="WinningPoStProver"/> (winning workers, or the miner),
/// messages from <c>MpoolSelect</c>, <c>MinerCreateBlock</c> and <c>SyncSubmitBlock</c>. Lotus's late checks are logged.
/// Every round is a row in the job tracker (task <c>mine/v0/round</c>, the round's epoch in the sector-number column,
/// the result or the error in its note) and a <see cref="MiningRound"/> in <see cref="Rounds"/>.
/// </summary>
public sealed partial class MiningLoop(
    IChain chain,
    WinningPoStProver winning,
    MiningOptions options,
    ulong minerId,
    TimeProvider time,
    ILogger<MiningLoop> logger,
    JobTracker? jobs = null)
{
    /// <summary>The job tracker's task id of a mining round.</summary>
    public const string RoundTaskId = "mine/v0/round";

    /// <summary>go-state-types crypto.SigTypeBLS: a VRF is a BLS signature.</summary>
    private const int SigTypeBls = 2;

    private static readonly TaskType RoundTask = TaskTypes.FromWire(RoundTaskId);

    private readonly Lock _lock = new();
    private readonly Queue<MiningRound> _rounds = new();
    private readonly SortedSet<long> _minedHeights = [];
    private ulong _blockDelaySecs;

    /// <summary>Raised after each round, won or not.</summary>
    public event Action<MiningRound>? RoundCompleted;

    /// <summary>The last <see cref="MiningOptions.History"/> rounds, oldest first.</summary>
    public IReadOnlyList<MiningRound> Rounds
    {
        get
        {
            lock (_lock)
            {
                return [.. _rounds];
            }
        }
    }

    /// <summary>The last round, or null before the first.</summary>
    public MiningRound? LastRound
    {
        get
        {
            lock (_lock)
            {
                return _rounds.Count == 0 ? null : _rounds.Last();
            }
        }
    }

    /// <summary>
    /// Mines on every new head until <paramref name="cancellationToken"/> fires: a round as soon as a head is seen
    /// (after the propagation delay past its timestamp), and, when the round made no block and the next epoch's time
    /// passes with the same head, a round one null round further.
    /// </summary>
    public async Task RunAsync(TimeSpan pollInterval, CancellationToken cancellationToken)
    {
        TipSet? lastBase = null;
        long lastNulls = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    var head = await chain.HeadAsync(cancellationToken).ConfigureAwait(false);
                    long nulls = 0;
                    if (lastBase is not null && Same(head, lastBase))
                    {
                        var next = await NextRoundAsync(head, lastNulls, cancellationToken).ConfigureAwait(false);
                        if (next is not { } n)
                        {
                            continue; // a new head: mine on it
                        }

                        nulls = n;
                    }
                    else
                    {
                        await PropagationWaitAsync(head, cancellationToken).ConfigureAwait(false);

                        // Lotus mine: the round's beacon entry must be out before the base is taken.
                        _ = await chain.BeaconEntryAsync(head.Height + 1, cancellationToken).ConfigureAwait(false);
                    }

                    await MineOneAsync(head, nulls, cancellationToken).ConfigureAwait(false);
                    lastBase = head;
                    lastNulls = nulls;
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // The head unreadable, or a round's record not written: the loop goes on with the next head.
                    Log.ChainUnavailable(logger, e.Message, pollInterval);
                    await Task.Delay(pollInterval, time, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// One round on <paramref name="baseTipSet"/> after <paramref name="nullRounds"/> null rounds (Lotus mineOne and
    /// the block submission of mine). Never throws but for cancellation: a failure is the round's outcome.
    /// </summary>
    public async Task<MiningRound> MineOneAsync(TipSet baseTipSet, long nullRounds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(baseTipSet);
        var round = baseTipSet.Height + nullRounds + 1;
        var started = time.GetUtcNow();
        var start = time.GetTimestamp();
        var last = start;
        var steps = new List<(string, TimeSpan)>();
        void Step(string name)
        {
            var now = time.GetTimestamp();
            steps.Add((name, time.GetElapsedTime(last, now)));
            last = now;
        }

        var call = Guid.NewGuid();
        if (jobs is not null)
        {
            await jobs.StartedAsync(call, PoStJobs.LocalHost, Guid.Empty, new SectorId(minerId, (ulong)round), RoundTask, cancellationToken).ConfigureAwait(false);
        }

        var facts = BaseFacts.Of(baseTipSet);
        var blockDelay = await BlockDelaySecsAsync(cancellationToken).ConfigureAwait(false);
        var lateStart = facts.MinTimestamp is { } ts
            && (ulong)started.ToUnixTimeSeconds() > ts + ((ulong)nullRounds * blockDelay) + (ulong)options.PropagationDelay.TotalSeconds;
        MiningBaseInfo? info = null;
        Ticket? ticket = null;
        ElectionProof? proof = null;
        WinningPoStOutcome? post = null;
        MiningRoundOutcome outcome;
        Cid? blockCid = null;
        string? error = null;
        try
        {
            info = await chain.MiningBaseInfoAsync(minerId, round, baseTipSet.Cids, cancellationToken).ConfigureAwait(false);
            Step("base info");
            if (info is not { EligibleForMining: true })
            {
                outcome = MiningRoundOutcome.NotEligible;
            }
            else
            {
                var rbase = info.RandomnessBase
                    ?? throw new ChainException($"MinerGetBaseInfo for round {round} answered no beacon entry", isRetryable: false);
                var minerCbor = Address.FromId(minerId).ToCbor();
                ticket = await TicketAsync(rbase, round, facts.MinTicket, info.WorkerKey, minerCbor, cancellationToken).ConfigureAwait(false);
                Step("ticket");
                var electionInput = MiningRandomness.DrawFromBase(rbase.Data, DomainSeparationTag.ElectionProofProduction, round, minerCbor);
                var vrf = await VrfAsync(info.WorkerKey, electionInput, cancellationToken).ConfigureAwait(false);
                var wins = ElectionProof.ComputeWinCount(vrf, info.MinerPower, info.NetworkPower);
                Step("election");
                if (wins < 1)
                {
                    outcome = MiningRoundOutcome.Lost;
                }
                else
                {
                    proof = new ElectionProof(wins, vrf);
                    var seed = MiningRandomness.DrawFromBase(rbase.Data, DomainSeparationTag.WinningPoStChallengeSeed, round, minerCbor);
                    var sectors = (info.Sectors ?? []).Select(s => new ProvingSector(s.SectorNumber, s.SealProof, s.SealedCID)).ToList();
                    if (sectors.Count == 0)
                    {
                        throw new PoStException($"round {round} won with win count {wins}, but MinerGetBaseInfo lists no sectors to prove", isRetryable: false);
                    }

                    post = await winning.ProveAsync(minerId, sectors, seed, cancellationToken).ConfigureAwait(false);
                    Step("winning PoSt");
                    var messages = await chain.SelectMessagesAsync(baseTipSet.Cids, ticket.Quality(), cancellationToken).ConfigureAwait(false);
                    Step("messages");
                    var timestamp = facts.MinTimestamp is { } min
                        ? min + (blockDelay * (ulong)(nullRounds + 1))
                        : (ulong)time.GetUtcNow().ToUnixTimeSeconds();
                    var block = await chain.CreateBlockAsync(
                        new BlockTemplate
                        {
                            Miner = Address.FromId(minerId, info.WorkerKey.Network),
                            Parents = baseTipSet.Cids,
                            Ticket = ticket,
                            Eproof = proof,
                            BeaconValues = info.BeaconEntries ?? [],
                            Messages = messages,
                            Epoch = round,
                            Timestamp = timestamp,
                            WinningPoStProof = post.Proofs,
                        },
                        cancellationToken).ConfigureAwait(false);
                    Step("create block");
                    blockCid = block.Cid();
                    await BroadcastWaitAsync(block, round, start, blockDelay, cancellationToken).ConfigureAwait(false);
                    if (!MinedAt(round))
                    {
                        // Lotus mine's minedBlockHeights: never two blocks of this miner at one height (a consensus fault).
                        throw new ChainException($"created block {blockCid} at height {round}, where this miner already created one: not submitted", isRetryable: false);
                    }

                    await chain.SubmitBlockAsync(block, cancellationToken).ConfigureAwait(false);
                    Step("submit block");
                    Log.BlockSubmitted(logger, round, blockCid.Value.ToString(), wins, messages.Count, time.GetElapsedTime(start).TotalMilliseconds);
                    outcome = MiningRoundOutcome.Won;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            if (jobs is not null)
            {
                await jobs.FinishedAsync(call, JobOutcome.Aborted, $"round {round}: the mining loop stopped", CancellationToken.None).ConfigureAwait(false);
            }

            throw;
        }
        catch (Exception e)
        {
            outcome = MiningRoundOutcome.Failed;
            error = e.Message;
        }

        var took = time.GetElapsedTime(start);
        var result = new MiningRound(round, baseTipSet.Height, nullRounds, outcome, proof?.WinCount ?? 0, outcome == MiningRoundOutcome.Won ? blockCid : null, error, started, took, lateStart, steps)
        {
            ElectionProof = proof,
            Ticket = ticket,
            BeaconEntries = info?.BeaconEntries ?? [],
            WinningPoSt = post,
        };
        await RecordAsync(call, result, info).ConfigureAwait(false);
        return result;
    }

    private async Task RecordAsync(Guid call, MiningRound result, MiningBaseInfo? info)
    {
        var note = result.Outcome switch
        {
            MiningRoundOutcome.Won => $"round {result.Round}: won (win count {result.WinCount}), block {result.Block} submitted",
            MiningRoundOutcome.Lost => $"round {result.Round}: not a winner (miner power {info?.MinerPower} of {info?.NetworkPower})",
            MiningRoundOutcome.NotEligible => $"round {result.Round}: not eligible for mining",
            _ => $"round {result.Round}: {result.Error}",
        };
        if (jobs is not null)
        {
            await jobs.FinishedAsync(call, result.Outcome == MiningRoundOutcome.Failed ? JobOutcome.Failed : JobOutcome.Succeeded, note, CancellationToken.None).ConfigureAwait(false);
        }

        var steps = string.Join(", ", result.Steps.Select(s => $"{s.Step} {s.Took.TotalMilliseconds:F0} ms"));
        var power = info?.MinerPower.ToString() ?? "0";
        var network = info?.NetworkPower.ToString() ?? "-1";
        if (result.Outcome == MiningRoundOutcome.Failed)
        {
            Log.RoundFailed(logger, result.Round, result.BaseHeight, result.NullRounds, result.LateStart, power, network, result.Took.TotalMilliseconds, steps, result.Error ?? "");
        }
        else if (result.LateStart)
        {
            Log.RoundLate(logger, result.Round, result.BaseHeight, result.NullRounds, result.Outcome, power, network, result.Took.TotalMilliseconds, steps);
        }
        else
        {
            Log.RoundCompleted(logger, result.Round, result.BaseHeight, result.NullRounds, result.Outcome, power, network, result.Took.TotalMilliseconds, steps);
        }

        lock (_lock)
        {
            _rounds.Enqueue(result);
            while (_rounds.Count > Math.Max(1, options.History))
            {
                _rounds.Dequeue();
            }
        }

        RoundCompleted?.Invoke(result);
    }

    /// <summary>
    /// Lotus miner.go's checks before broadcasting: block production that took longer than a block delay, or ended
    /// at or past the block's time, is logged as a caution; a block whose time is still ahead waits for it, one in
    /// the past is logged.
    /// </summary>
    private async Task BroadcastWaitAsync(BlockMsg block, long round, long start, ulong blockDelay, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var blockTime = DateTimeOffset.FromUnixTimeSeconds((long)block.Header.Timestamp);
        var took = time.GetElapsedTime(start);
        if (took > TimeSpan.FromSeconds(blockDelay) || now >= blockTime)
        {
            Log.PastBlockTime(logger, round, took.TotalMilliseconds, blockTime, now);
        }

        if (blockTime > now)
        {
            await Task.Delay(blockTime - now, time, cancellationToken).ConfigureAwait(false);
        }
        else if (blockTime < now)
        {
            Log.MinedInThePast(logger, round, blockTime, now, now - blockTime);
        }
    }

    /// <summary>Lotus miner.go computeTicket: a VRF over TicketProduction randomness for round − lookback.</summary>
    private async Task<Ticket> TicketAsync(BeaconEntry rbase, long round, byte[] minTicket, Address worker, byte[] minerCbor, CancellationToken cancellationToken)
    {
        byte[] entropy = round > options.UpgradeSmokeHeight ? [.. minerCbor, .. minTicket] : minerCbor;
        var input = MiningRandomness.DrawFromBase(rbase.Data, DomainSeparationTag.TicketProduction, round - options.TicketRandomnessLookback, entropy);
        return new Ticket(await VrfAsync(worker, input, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Lotus chain/gen ComputeVRF: the worker key's signature of the input, which must be BLS.</summary>
    private async Task<byte[]> VrfAsync(Address worker, byte[] input, CancellationToken cancellationToken)
    {
        var signature = await chain.SignAsync(worker, input, cancellationToken).ConfigureAwait(false);
        return signature.Type == SigTypeBls
            ? signature.Data
            : throw new ChainException($"miner worker address {worker} was not a BLS key (WalletSign answered signature type {signature.Type})", isRetryable: false);
    }

    /// <summary>Lotus propagationWaitFunc: a round starts no earlier than its base's timestamp + the propagation delay.</summary>
    private Task PropagationWaitAsync(TipSet head, CancellationToken cancellationToken)
    {
        if (BaseFacts.Of(head).MinTimestamp is not { } ts)
        {
            return Task.CompletedTask;
        }

        var wait = DateTimeOffset.FromUnixTimeSeconds((long)ts) + options.PropagationDelay - time.GetUtcNow();
        return wait > TimeSpan.Zero ? Task.Delay(wait, time, cancellationToken) : Task.CompletedTask;
    }

    /// <summary>
    /// After a round on <paramref name="head"/> with <paramref name="nulls"/> null rounds: null when a new head came,
    /// or <paramref name="nulls"/> + 1 when the next round's time (+ the propagation delay) passed first.
    /// </summary>
    private async Task<long?> NextRoundAsync(TipSet head, long nulls, CancellationToken cancellationToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var newHead = chain.WaitForEpochAsync(head.Height + 1, wait.Token);
        if (!options.MineNullRounds || BaseFacts.Of(head).MinTimestamp is not { } ts)
        {
            await newHead.ConfigureAwait(false);
            return null;
        }

        var blockDelay = await BlockDelaySecsAsync(cancellationToken).ConfigureAwait(false);
        var nextRound = DateTimeOffset.FromUnixTimeSeconds((long)(ts + (blockDelay * (ulong)(nulls + 1)))) + options.PropagationDelay;
        var delay = nextRound - time.GetUtcNow();
        var timer = delay > TimeSpan.Zero ? Task.Delay(delay, time, wait.Token) : Task.CompletedTask;
        var first = await Task.WhenAny(newHead, timer).ConfigureAwait(false);
        await wait.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(newHead, timer).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (first == newHead && newHead.IsCompletedSuccessfully)
        {
            return null;
        }

        // The head may have moved as the timer fired: a new head wins.
        var now = await chain.HeadAsync(cancellationToken).ConfigureAwait(false);
        return Same(now, head) ? nulls + 1 : null;
    }

    /// <summary>Records a block at <paramref name="height"/>; false when one was already recorded there.</summary>
    private bool MinedAt(long height)
    {
        lock (_lock)
        {
            if (!_minedHeights.Add(height))
            {
                return false;
            }

            _minedHeights.RemoveWhere(h => h < height - 1000);
            return true;
        }
    }

    private async Task<ulong> BlockDelaySecsAsync(CancellationToken cancellationToken)
    {
        if (_blockDelaySecs == 0)
        {
            var delay = (await chain.NetworkParamsAsync(cancellationToken).ConfigureAwait(false)).BlockDelaySecs;
            _blockDelaySecs = delay == 0 ? 30 : delay;
        }

        return _blockDelaySecs;
    }

    private static bool Same(TipSet a, TipSet b) => a.Height == b.Height && a.Cids.SequenceEqual(b.Cids);

    /// <summary>What the round reads of its base's block headers: their min timestamp and the min ticket (Lotus TipSet.MinTimestamp, MinTicket).</summary>
    private sealed record BaseFacts(ulong? MinTimestamp, byte[] MinTicket)
    {
        public static BaseFacts Of(TipSet tipSet)
        {
            ulong? min = null;
            byte[] ticket = [];
            byte[]? ticketDigest = null;
            foreach (var block in tipSet.Blocks)
            {
                if (block.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                if (block.TryGetProperty("Timestamp", out var t) && t.TryGetUInt64(out var stamp))
                {
                    min = min is { } m ? Math.Min(m, stamp) : stamp;
                }

                if (block.TryGetProperty("Ticket", out var tk) && tk.ValueKind == JsonValueKind.Object
                    && tk.TryGetProperty("VRFProof", out var v) && v.ValueKind == JsonValueKind.String && v.TryGetBytesFromBase64(out var vrf))
                {
                    // Lotus Ticket.Less: the smaller BLAKE2b-256 of the VRF output.
                    var digest = new byte[32];
                    Blake2b.HashData(vrf, digest);
                    if (ticketDigest is null || digest.AsSpan().SequenceCompareTo(ticketDigest) < 0)
                    {
                        ticketDigest = digest;
                        ticket = vrf;
                    }
                }
            }

            return new BaseFacts(min, ticket);
        }
    }

    /// <summary>
    /// LogEvent ids of the Mining area: 6300–6349. Its messages use 6330–6349: the Chain area (6300–6399, which
    /// holds this range) already has 6300–6313.
    /// </summary>
    private static partial class Log
    {
        [LoggerMessage(EventId = 6330, EventName = "MiningRoundCompleted", Level = LogLevel.Information, Message = "completed mineOne: round {Round} (base {Base}, null rounds {Nulls}): {Outcome}; miner power {Power} of network power {Network}; took {Took} ms ({Steps})")]
        public static partial void RoundCompleted(ILogger logger, long round, long @base, long nulls, MiningRoundOutcome outcome, string power, string network, double took, string steps);

        [LoggerMessage(EventId = 6331, EventName = "MiningRoundLate", Level = LogLevel.Warning, Message = "completed mineOne: round {Round} (base {Base}, null rounds {Nulls}) started late (past the base's time + null rounds + propagation delay): {Outcome}; miner power {Power} of network power {Network}; took {Took} ms ({Steps})")]
        public static partial void RoundLate(ILogger logger, long round, long @base, long nulls, MiningRoundOutcome outcome, string power, string network, double took, string steps);

        [LoggerMessage(EventId = 6332, EventName = "MiningRoundFailed", Level = LogLevel.Error, Message = "completed mineOne: round {Round} (base {Base}, null rounds {Nulls}, late start {Late}) failed; miner power {Power} of network power {Network}; took {Took} ms ({Steps}): {Reason}")]
        public static partial void RoundFailed(ILogger logger, long round, long @base, long nulls, bool late, string power, string network, double took, string steps, string reason);

        [LoggerMessage(EventId = 6333, EventName = "BlockSubmitted", Level = LogLevel.Information, Message = "mined new block {Cid} at epoch {Round} (win count {Wins}, {Messages} messages), submitted {Took} ms into the round")]
        public static partial void BlockSubmitted(ILogger logger, long round, string cid, long wins, int messages, double took);

        [LoggerMessage(EventId = 6334, EventName = "BlockPastBlockTime", Level = LogLevel.Warning, Message = "CAUTION: block production for epoch {Round} took us past the block time ({Took} ms; block time {BlockTime:o}, now {Now:o}). Your computer may not be fast enough to keep up")]
        public static partial void PastBlockTime(ILogger logger, long round, double took, DateTimeOffset blockTime, DateTimeOffset now);

        [LoggerMessage(EventId = 6335, EventName = "BlockMinedInThePast", Level = LogLevel.Warning, Message = "mined block in the past: epoch {Round}, block time {BlockTime:o}, now {Now:o}, difference {Difference}")]
        public static partial void MinedInThePast(ILogger logger, long round, DateTimeOffset blockTime, DateTimeOffset now, TimeSpan difference);

        [LoggerMessage(EventId = 6336, EventName = "MiningChainUnavailable", Level = LogLevel.Warning, Message = "mining loop: no round on this head, trying again in {Delay}: {Reason}")]
        public static partial void ChainUnavailable(ILogger logger, string reason, TimeSpan delay);
    }
}
