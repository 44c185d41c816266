using Kiln.Api.Types;
using Kiln.Miner.Chain;
using Kiln.Proofs.PoSt;

namespace Kiln.Miner.Proving;

/// <summary>
/// Drives proving off the chain on two independent loops. The Window PoSt loop proves, when the miner's deadline
/// opens, the Proving sectors the chain has it prove (by its partitions, on a full node as on the devnet chain) with
/// <see cref="WindowPoStProver"/>; the result goes to the PoSt history (and each partition to the job tracker), and
/// a proof still running when its deadline closes is aborted (Lotus storage/wdpost/wdpost_changehandler.go
/// processHeadChange). The Winning PoSt loop runs a round over all Proving sectors every
/// <see cref="ProvingOptions.WinningEvery"/> epochs and never waits for a Window PoSt: a stalled window partition
/// does not delay a winning round. Each proven Window PoSt is sent to the chain as <c>SubmitWindowedPoSt</c>
/// (<see cref="WindowPoStSubmitter"/>) unless <see cref="ProvingOptions.SubmitWindowPoSt"/> is off; Winning PoSt proofs
/// become blocks through the <see cref="Mining"/> loop when one is set, else they are verified and logged.
/// </summary>
public sealed partial class ProvingLoop(
    IChain chain,
    Func<CancellationToken, Task<IReadOnlyList<ProvingSector>>> provingSectors,
    WindowPoStProver window,
    WinningPoStProver winning,
    PoStHistory history,
    ProvingOptions options,
    ulong minerId,
    TimeProvider time,
    ILogger<ProvingLoop> logger)
{
    /// <summary>The epoch and outcome of the last Winning PoSt round that had sectors (null outcome: it failed).</summary>
    public (long Epoch, WinningPoStOutcome? Outcome, string? Error)? LastWinning { get; private set; }

    /// <summary>Raised after each Winning PoSt round that had sectors, with its epoch (observers: tests, metrics).</summary>
    public event Action<long>? WinningRoundCompleted;

    /// <summary>
    /// The block producer. When set (before <see cref="RunAsync"/>), the Winning PoSt loop is the mining loop: a round on
    /// every new head, a Winning PoSt only in a won round, the block submitted; <see cref="LastWinning"/> and
    /// <see cref="WinningRoundCompleted"/> follow its rounds that computed (or failed) a Winning PoSt. When null, a
    /// Winning PoSt round runs every <see cref="ProvingOptions.WinningEvery"/> epochs and is only logged.
    /// </summary>
    public global::Kiln.Miner.Mining.MiningLoop? Mining { get; set; }

    /// <summary>Raised after a deadline's outcome is recorded by <see cref="RunAsync"/> or <see cref="ProveDeadlineAsync"/>.</summary>
    public event Action<DeadlineRecord>? DeadlineRecorded;

    /// <summary>Runs the Window PoSt loop and the Winning PoSt loop side by side until <paramref name="cancellationToken"/> fires.</summary>
    public Task RunAsync(CancellationToken cancellationToken)
    {
        Log.Started(logger, options.EpochDuration, options.WinningEvery);
        return Task.WhenAll(RunWindowAsync(cancellationToken), RunWinningAsync(cancellationToken));
    }

    /// <summary>Each deadline once, as it opens; the proof is bounded by the deadline's close.</summary>
    private async Task RunWindowAsync(CancellationToken cancellationToken)
    {
        long provenOpen = -1;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    var deadline = await chain.ProvingDeadlineAsync(minerId, cancellationToken).ConfigureAwait(false);
                    if (deadline.Open != provenOpen)
                    {
                        await ProveBeforeCloseAsync(deadline, cancellationToken).ConfigureAwait(false);
                        provenOpen = deadline.Open;
                    }

                    await chain.WaitForEpochAsync(deadline.Close, cancellationToken).ConfigureAwait(false);
                }
                catch (ChainException e) when (e.IsRetryable)
                {
                    Log.ChainUnavailable(logger, e.Message, options.ChainPollInterval);
                    await Task.Delay(options.ChainPollInterval, time, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>A round at every multiple of <see cref="ProvingOptions.WinningEvery"/>, whatever the Window PoSt loop is doing.</summary>
    private async Task RunWinningAsync(CancellationToken cancellationToken)
    {
        if (Mining is { } mining)
        {
            mining.RoundCompleted += OnMiningRound;
            try
            {
                await mining.RunAsync(options.ChainPollInterval, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                mining.RoundCompleted -= OnMiningRound;
            }

            return;
        }

        var every = Math.Max(1, options.WinningEvery);
        long winningRound = -1;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    var epoch = await chain.HeadEpochAsync(cancellationToken).ConfigureAwait(false);
                    if (epoch / every != winningRound)
                    {
                        winningRound = epoch / every;
                        await WinningRoundAsync(epoch, cancellationToken).ConfigureAwait(false);
                    }

                    // The next round's first epoch, from the round just run: a head that moved on meanwhile is not skipped.
                    await chain.WaitForEpochAsync((winningRound + 1) * every, cancellationToken).ConfigureAwait(false);
                }
                catch (ChainException e) when (e.IsRetryable)
                {
                    Log.ChainUnavailable(logger, e.Message, options.ChainPollInterval);
                    await Task.Delay(options.ChainPollInterval, time, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Proves <paramref name="deadline"/>, aborting the proof once the chain reaches its close (Lotus aborts the current
    /// proof when the head passes <c>di.Close</c>): a proof that cannot be submitted any more must not hold the loop.
    /// </summary>
    private async Task ProveBeforeCloseAsync(DeadlineInfo deadline, CancellationToken cancellationToken)
    {
        using var proof = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watcher = AbortAtCloseAsync(deadline.Close, proof);
        try
        {
            await ProveDeadlineCoreAsync(deadline, proof.Token, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await proof.CancelAsync().ConfigureAwait(false);
            await watcher.ConfigureAwait(false);
        }
    }

    private async Task AbortAtCloseAsync(long close, CancellationTokenSource proof)
    {
        try
        {
            await chain.WaitForEpochAsync(close, proof.Token).ConfigureAwait(false);
            await proof.CancelAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ChainException)
        {
            // The proof finished first, or the chain is unreachable (then the proof runs to its own timeouts).
        }
    }

    /// <summary>Proves the sectors of one deadline and records the outcome; null when the deadline has no sectors.</summary>
    public Task<DeadlineRecord?> ProveDeadlineAsync(DeadlineInfo deadline, CancellationToken cancellationToken) =>
        ProveDeadlineCoreAsync(deadline, cancellationToken, cancellationToken);

    /// <summary>
    /// Proves with <paramref name="proofToken"/> (cancelled at the deadline's close by the loop) and records with
    /// <paramref name="cancellationToken"/>: a proof aborted by the close is recorded as Failed with that reason.
    /// </summary>
    private async Task<DeadlineRecord?> ProveDeadlineCoreAsync(DeadlineInfo deadline, CancellationToken proofToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deadline);
        var proving = await provingSectors(cancellationToken).ConfigureAwait(false);
        var assigned = (await chain.DeadlineSectorsAsync(minerId, deadline, [.. proving.Select(s => s.Number)], cancellationToken).ConfigureAwait(false)).ToHashSet();
        var sectors = proving.Where(s => assigned.Contains(s.Number)).ToList();
        if (sectors.Count == 0)
        {
            return null;
        }

        DeadlineRecord record;
        var timeline = PoStTimeline.ForDeadline(deadline, time);
        try
        {
            var randomness = await chain.WindowPoStRandomnessAsync(minerId, deadline, proofToken).ConfigureAwait(false);
            timeline.Local("randomness", timeline.Started, sectors.Count, detail: $"challenge epoch {deadline.Challenge}");
            record = options.SubmitWindowPoSt
                ? await ProveAndSubmitAsync(deadline, proving, randomness, timeline, proofToken).ConfigureAwait(false)
                : await ProveOnlyAsync(deadline, sectors, randomness, timeline, proofToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (proofToken.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            var reason = $"deadline {deadline.Index} closed at epoch {deadline.Close} before its window PoSt of {sectors.Count} sectors finished; the proof was aborted";
            Log.WindowFailed(logger, deadline.Index, deadline.Open, reason);
            record = new DeadlineRecord(deadline.Index, deadline.Open, sectors.Count, 0, 0, time.GetUtcNow(), "Failed", reason);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.WindowFailed(logger, deadline.Index, deadline.Open, e.Message);
            record = new DeadlineRecord(deadline.Index, deadline.Open, sectors.Count, 0, 0, time.GetUtcNow(), "Failed", e.Message);
        }

        if (options.SubmitWindowPoSt && timeline.Entries.Count > 0)
        {
            await history.RecordTimelineAsync(timeline.Entries, CancellationToken.None).ConfigureAwait(false);
        }

        await history.RecordDeadlineAsync(record, cancellationToken).ConfigureAwait(false);
        DeadlineRecorded?.Invoke(record);
        return record;
    }

    private async Task<DeadlineRecord> ProveOnlyAsync(DeadlineInfo deadline, IReadOnlyList<ProvingSector> sectors, byte[] randomness, PoStTimeline timeline, CancellationToken proofToken)
    {
        var outcome = await window.ProveAsync(minerId, sectors, randomness, timeline, proofToken).ConfigureAwait(false);
        Log.WindowProven(logger, deadline.Index, deadline.Open, outcome.Proven.Count, outcome.Skipped.Count, Convert.ToHexStringLower(outcome.Proof.ProofBytes ?? []));
        return new DeadlineRecord(deadline.Index, deadline.Open, outcome.Proven.Count, outcome.Skipped.Count, outcome.Partitions, time.GetUtcNow(), "Succeeded", null);
    }

    /// <summary>
    /// The deadline's partitions from the chain, batched per message, each batch proven and submitted
    /// (<see cref="WindowPoStSubmitter"/>); the record names every message, or why a batch was not sent.
    /// </summary>
    private async Task<DeadlineRecord> ProveAndSubmitAsync(DeadlineInfo deadline, IReadOnlyList<ProvingSector> proving, byte[] randomness, PoStTimeline timeline, CancellationToken proofToken)
    {
        var partitions = await chain.DeadlinePartitionsAsync(minerId, deadline.Index, proofToken).ConfigureAwait(false);
        var held = proving.DistinctBy(s => s.Number).ToDictionary(s => s.Number);
        var perPartition = PoStInputs.ProofFor(proving, PoStType.Window).SectorsPerPartition;
        var batches = WindowPoStSubmitter.Batch(partitions, WindowPoStSubmitter.PartitionsPerMessage(perPartition, options.MaxPartitionsPerPoStMessage));
        var submitter = new WindowPoStSubmitter(chain, minerId, options, logger);
        int proven = 0, skipped = 0, proofPartitions = 0;
        var messages = new List<Cid>();
        var refusals = new List<string>();
        foreach (var batch in batches)
        {
            var (sectors, refusal) = WindowPoStSubmitter.SectorsFor(batch, held);
            if (refusal is not null)
            {
                refusals.Add(refusal);
                timeline.Local("submit", timeline.Now, 0, "Failed", $"partitions {string.Join(',', batch.Select(b => b.Index))} not submitted: {refusal}");
                continue;
            }

            if (sectors.Count == 0)
            {
                continue; // nothing to prove in these partitions (Lotus skips such a batch)
            }

            var outcome = await window.ProveAsync(minerId, sectors, randomness, timeline, proofToken).ConfigureAwait(false);
            Log.WindowProven(logger, deadline.Index, deadline.Open, outcome.Proven.Count, outcome.Skipped.Count, Convert.ToHexStringLower(outcome.Proof.ProofBytes ?? []));
            proven += outcome.Proven.Count;
            skipped += outcome.Skipped.Count;
            proofPartitions += outcome.Partitions;
            if (outcome.Skipped.Count > 0)
            {
                refusals.Add($"sectors {string.Join(',', outcome.Skipped)} were skipped: Lotus stands good sectors in for them (wdpost_run.go sectorsForProof), which Kiln does not do yet");
                continue;
            }

            messages.Add(await submitter.SubmitAsync(deadline, [.. batch.Select(b => b.Index)], outcome.Proof, timeline, proofToken).ConfigureAwait(false));
        }

        // The messages are in the timeline; a batch that could not be sent fails the deadline with its reason.
        var error = refusals.Count == 0 ? null : (messages.Count == 0 ? "" : $"submitted {string.Join(", ", messages)}; ") + string.Join("; ", refusals);
        return new DeadlineRecord(deadline.Index, deadline.Open, proven, skipped, proofPartitions, time.GetUtcNow(), error is null ? "Succeeded" : "Failed", error);
    }

    /// <summary>A mining round that won (its Winning PoSt) or failed is the last Winning PoSt round.</summary>
    private void OnMiningRound(global::Kiln.Miner.Mining.MiningRound round)
    {
        if (round.Outcome is global::Kiln.Miner.Mining.MiningRoundOutcome.Won or global::Kiln.Miner.Mining.MiningRoundOutcome.Failed)
        {
            LastWinning = (round.Round, round.WinningPoSt, round.Error);
            WinningRoundCompleted?.Invoke(round.Round);
        }
    }

    /// <summary>One Winning PoSt round at <paramref name="epoch"/> over every Proving sector; null when there are none.</summary>
    public async Task<WinningPoStOutcome?> WinningRoundAsync(long epoch, CancellationToken cancellationToken)
    {
        var sectors = await provingSectors(cancellationToken).ConfigureAwait(false);
        if (sectors.Count == 0)
        {
            return null;
        }

        try
        {
            var randomness = await chain.WinningPoStRandomnessAsync(minerId, epoch, cancellationToken).ConfigureAwait(false);
            var outcome = await winning.ProveAsync(minerId, sectors, randomness, cancellationToken).ConfigureAwait(false);
            Log.WinningProven(logger, epoch, outcome.Challenged[0], Convert.ToHexStringLower(outcome.Proofs[0].ProofBytes ?? []));
            LastWinning = (epoch, outcome, null);
            WinningRoundCompleted?.Invoke(epoch);
            return outcome;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.WinningFailed(logger, epoch, e.Message);
            LastWinning = (epoch, null, e.Message);
            WinningRoundCompleted?.Invoke(epoch);
            return null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 6003, EventName = "ProvingLoopStarted", Level = LogLevel.Information, Message = "proving loop started: epochs of {Epoch}, winning PoSt every {Every} epochs")]
        public static partial void Started(ILogger logger, TimeSpan epoch, int every);

        [LoggerMessage(EventId = 6004, EventName = "DeadlineProven", Level = LogLevel.Information, Message = "deadline {Deadline} (open {Open}): window PoSt of {Sectors} sectors ({Skipped} skipped) verified; proof {Proof}")]
        public static partial void WindowProven(ILogger logger, int deadline, long open, int sectors, int skipped, string proof);

        [LoggerMessage(EventId = 6005, EventName = "DeadlineFailed", Level = LogLevel.Error, Message = "deadline {Deadline} (open {Open}): window PoSt failed: {Reason}")]
        public static partial void WindowFailed(ILogger logger, int deadline, long open, string reason);

        [LoggerMessage(EventId = 6006, EventName = "WinningPoStVerified", Level = LogLevel.Information, Message = "epoch {Epoch}: winning PoSt of sector {Sector} verified; proof {Proof}")]
        public static partial void WinningProven(ILogger logger, long epoch, ulong sector, string proof);

        [LoggerMessage(EventId = 6007, EventName = "WinningPoStFailed", Level = LogLevel.Error, Message = "epoch {Epoch}: winning PoSt failed: {Reason}")]
        public static partial void WinningFailed(ILogger logger, long epoch, string reason);

        [LoggerMessage(EventId = 6008, EventName = "ChainUnavailable", Level = LogLevel.Warning, Message = "proving loop: chain unavailable, trying again in {Delay}: {Reason}")]
        public static partial void ChainUnavailable(ILogger logger, string reason, TimeSpan delay);
    }
}
