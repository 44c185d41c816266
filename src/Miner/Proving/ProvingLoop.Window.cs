using Kiln.Api.Types;
using Kiln.Miner.Chain;
using Kiln.Proofs.PoSt;

namespace Kiln.Miner.Proving;

/// <summary>
/// The Window PoSt half of the proving loop, as Lotus's window PoSt scheduler runs it (storage/wdpost/wdpost_run.go
/// runPoStCycle, storage/wdpost/wdpost_changehandler.go): when a deadline opens, the declarations for the deadline
/// after next start beside it (<see cref="FaultDeclarer"/>, when a sector checker is configured); the deadline's batches
/// of partitions are proven in parallel, each submitted as soon as it is proven, every sector the proof does not cover
/// in its partition's <c>Skipped</c>; a chain that cannot be reached is retried until the deadline closes; an alarm
/// is raised when the close is near and the PoSt is not on chain; the proof is aborted at the close.
/// </summary>
public sealed partial class ProvingLoop
{
    private readonly List<Task> _declarations = [];

    /// <summary>Raised after the declarations made ahead of a deadline (recoveries, faults) are on chain.</summary>
    public event Action<FaultDeclarations>? Declared;

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
                        StartDeclarations(deadline, cancellationToken);
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
        finally
        {
            Task[] pending;
            lock (_declarations)
            {
                pending = [.. _declarations];
            }

            await Task.WhenAll(pending).ConfigureAwait(false);
        }
    }

    /// <summary>Lotus asyncFaultRecover: the deadline after next's declarations run beside this deadline's proof.</summary>
    private void StartDeclarations(DeadlineInfo open, CancellationToken cancellationToken)
    {
        if (checker is null)
        {
            return;
        }

        var task = Task.Run(
            async () =>
            {
                try
                {
                    await DeclareAheadAsync(open, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                }
                catch (Exception e)
                {
                    WindowLog.DeclarationsFailed(logger, FaultDeclarer.DeclarationDeadline(open), e.Message);
                }
            },
            CancellationToken.None);
        lock (_declarations)
        {
            _declarations.RemoveAll(t => t.IsCompleted);
            _declarations.Add(task);
        }
    }

    /// <summary>
    /// The recoveries and faults of the deadline after <paramref name="open"/>'s next, declared on chain (Lotus
    /// wdpost_run_faults.go declareRecoveries, declareFaults); null when no sector checker is configured.
    /// </summary>
    public async Task<FaultDeclarations?> DeclareAheadAsync(DeadlineInfo open, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(open);
        if (checker is null)
        {
            return null;
        }

        var held = await provingSectors(cancellationToken).ConfigureAwait(false);
        var declarations = await new FaultDeclarer(chain, checker, minerId, options, logger).DeclareAsync(FaultDeclarer.DeclarationDeadline(open), held, cancellationToken).ConfigureAwait(false);
        Declared?.Invoke(declarations);
        return declarations;
    }

    /// <summary>
    /// Proves <paramref name="deadline"/> as the loop does when it opens, aborting the proof once the chain reaches its
    /// close (Lotus aborts the current proof when the head passes <c>di.Close</c>): a proof that cannot be submitted any
    /// more must not hold the loop. The deadline's record; null when it has no sectors.
    /// </summary>
    public async Task<DeadlineRecord?> ProveBeforeCloseAsync(DeadlineInfo deadline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deadline);
        using var proof = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var timeline = PoStTimeline.ForDeadline(deadline, time);
        var watcher = AbortAtCloseAsync(deadline.Close, proof);
        var alarm = AlarmBeforeCloseAsync(deadline, timeline, proof.Token);
        try
        {
            return await ProveDeadlineCoreAsync(deadline, timeline, proof.Token, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await proof.CancelAsync().ConfigureAwait(false);
            await watcher.ConfigureAwait(false);
            await alarm.ConfigureAwait(false);
        }
    }

    /// <summary>Cancels <paramref name="proof"/> once the chain reaches <paramref name="close"/>; an unreachable chain is asked again.</summary>
    private async Task AbortAtCloseAsync(long close, CancellationTokenSource proof)
    {
        try
        {
            while (true)
            {
                try
                {
                    await chain.WaitForEpochAsync(close, proof.Token).ConfigureAwait(false);
                    await proof.CancelAsync().ConfigureAwait(false);
                    return;
                }
                catch (ChainException e) when (e.IsRetryable)
                {
                    // The node is down: the close is known again once it answers (the proof retries meanwhile).
                    await Task.Delay(options.ChainPollInterval, time, proof.Token).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ChainException)
        {
            // The proof finished first, or the chain refuses for good (then the proof runs to its own timeouts).
        }
    }

    /// <summary>A warning, in the log and the timeline, when the deadline is <see cref="ProvingOptions.SubmitAlarmEpochs"/> from its close and its PoSt is still not on chain.</summary>
    private async Task AlarmBeforeCloseAsync(DeadlineInfo deadline, PoStTimeline timeline, CancellationToken proofToken)
    {
        if (options.SubmitAlarmEpochs <= 0)
        {
            return;
        }

        try
        {
            var at = deadline.Close - options.SubmitAlarmEpochs;
            while (true)
            {
                try
                {
                    await chain.WaitForEpochAsync(at, proofToken).ConfigureAwait(false);
                    break;
                }
                catch (ChainException e) when (e.IsRetryable)
                {
                    await Task.Delay(options.ChainPollInterval, time, proofToken).ConfigureAwait(false);
                }
            }

            var submitted = timeline.Entries.Count(e => e.Phase == "receipt" && e.Outcome == "Succeeded");
            WindowLog.CloseNear(logger, deadline.Index, deadline.Close, options.SubmitAlarmEpochs, submitted);
            timeline.Local("alarm", timeline.Now, 0, "Failed", $"deadline {deadline.Index} closes at epoch {deadline.Close}, {options.SubmitAlarmEpochs} epochs from now, and its window PoSt is not all on chain ({submitted} messages landed)");
        }
        catch (Exception e) when (e is OperationCanceledException or ChainException)
        {
            // The proof finished (or was aborted) first.
        }
    }

    /// <summary>Proves the sectors of one deadline and records the outcome; null when the deadline has no sectors.</summary>
    public Task<DeadlineRecord?> ProveDeadlineAsync(DeadlineInfo deadline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deadline);
        return ProveDeadlineCoreAsync(deadline, PoStTimeline.ForDeadline(deadline, time), cancellationToken, cancellationToken);
    }

    /// <summary>
    /// Proves with <paramref name="proofToken"/> (cancelled at the deadline's close by the loop) and records with
    /// <paramref name="cancellationToken"/>: a proof aborted by the close is recorded as Failed with that reason. With
    /// submission on, a chain that cannot be reached is retried every <see cref="ProvingOptions.ChainPollInterval"/>
    /// (batches already on chain are not sent again) until the deadline closes; then the miss is recorded.
    /// </summary>
    private async Task<DeadlineRecord?> ProveDeadlineCoreAsync(DeadlineInfo deadline, PoStTimeline timeline, CancellationToken proofToken, CancellationToken cancellationToken)
    {
        var progress = new DeadlineProgress();
        DeadlineRecord? record;
        while (true)
        {
            try
            {
                record = await AttemptDeadlineAsync(deadline, timeline, progress, proofToken, cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (ChainException e) when (e.IsRetryable && options.SubmitWindowPoSt && !proofToken.IsCancellationRequested)
            {
                progress.ChainError = e.Message;
                WindowLog.Retrying(logger, deadline.Index, options.ChainPollInterval, e.Message);
                timeline.Local("retry", timeline.Now, progress.Sectors, "Failed", $"the chain did not answer ({e.Message}); trying again in {options.ChainPollInterval}");
                try
                {
                    await Task.Delay(options.ChainPollInterval, time, proofToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (proofToken.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    record = Closed(deadline, progress);
                    break;
                }
            }
            catch (OperationCanceledException) when (proofToken.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                record = Closed(deadline, progress);
                break;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                WindowLog.WindowFailed(logger, deadline.Index, deadline.Open, e.Message);
                record = new DeadlineRecord(deadline.Index, deadline.Open, progress.Sectors, 0, 0, time.GetUtcNow(), "Failed", Submitted(progress) + e.Message);
                break;
            }
        }

        if (record is null)
        {
            return null;
        }

        if (options.SubmitWindowPoSt && timeline.Entries.Count > 0)
        {
            await history.RecordTimelineAsync(timeline.Entries, CancellationToken.None).ConfigureAwait(false);
        }

        await history.RecordDeadlineAsync(record, cancellationToken).ConfigureAwait(false);
        DeadlineRecorded?.Invoke(record);
        return record;
    }

    private DeadlineRecord Closed(DeadlineInfo deadline, DeadlineProgress progress)
    {
        var why = progress.ChainError is { } error ? $" (the chain was unreachable meanwhile: {error})" : "";
        var reason = $"{Submitted(progress)}deadline {deadline.Index} closed at epoch {deadline.Close} before its window PoSt of {progress.Sectors} sectors was on chain{why}; the proof was aborted";
        WindowLog.WindowFailed(logger, deadline.Index, deadline.Open, reason);
        return new DeadlineRecord(deadline.Index, deadline.Open, progress.Sectors, 0, 0, time.GetUtcNow(), "Failed", reason);
    }

    private static string Submitted(DeadlineProgress progress)
    {
        lock (progress)
        {
            return progress.Messages.Count == 0 ? "" : $"submitted {string.Join(", ", progress.Messages.Values)}; ";
        }
    }

    /// <summary>One attempt at the deadline: its sectors, its randomness, and the proof (submitted, or only verified).</summary>
    private async Task<DeadlineRecord?> AttemptDeadlineAsync(DeadlineInfo deadline, PoStTimeline timeline, DeadlineProgress progress, CancellationToken proofToken, CancellationToken cancellationToken)
    {
        if (await chain.HeadEpochAsync(proofToken).ConfigureAwait(false) >= deadline.Close)
        {
            // Lotus's change handler aborts a proof once the head passes the close: nothing can land any more.
            return progress.Sectors == 0 && progress.Messages.Count == 0 && progress.ChainError is null ? null : Closed(deadline, progress);
        }

        var proving = await provingSectors(cancellationToken).ConfigureAwait(false);
        var assigned = (await chain.DeadlineSectorsAsync(minerId, deadline, [.. proving.Select(s => s.Number)], proofToken).ConfigureAwait(false)).ToHashSet();
        var sectors = proving.Where(s => assigned.Contains(s.Number)).ToList();
        if (sectors.Count == 0 && progress.Messages.Count == 0)
        {
            return null;
        }

        progress.Sectors = Math.Max(progress.Sectors, sectors.Count);
        var randomness = await chain.WindowPoStRandomnessAsync(minerId, deadline, proofToken).ConfigureAwait(false);
        timeline.Local("randomness", timeline.Now, sectors.Count, detail: $"challenge epoch {deadline.Challenge}");
        return options.SubmitWindowPoSt
            ? await ProveAndSubmitAsync(deadline, proving, randomness, timeline, progress, proofToken).ConfigureAwait(false)
            : await ProveOnlyAsync(deadline, sectors, randomness, timeline, proofToken).ConfigureAwait(false);
    }

    private async Task<DeadlineRecord> ProveOnlyAsync(DeadlineInfo deadline, IReadOnlyList<ProvingSector> sectors, byte[] randomness, PoStTimeline timeline, CancellationToken proofToken)
    {
        var outcome = await window.ProveAsync(minerId, sectors, randomness, timeline, proofToken).ConfigureAwait(false);
        WindowLog.WindowProven(logger, deadline.Index, deadline.Open, outcome.Proven.Count, outcome.Skipped.Count, Convert.ToHexStringLower(outcome.Proof.ProofBytes ?? []));
        return new DeadlineRecord(deadline.Index, deadline.Open, outcome.Proven.Count, outcome.Skipped.Count, outcome.Partitions, time.GetUtcNow(), "Succeeded", null);
    }

    /// <summary>
    /// The deadline's partitions from the chain, batched per message, the batches proven in parallel and each submitted
    /// when proven (<see cref="WindowPoStSubmitter"/>); the record names every message, and why a batch was not sent.
    /// </summary>
    private async Task<DeadlineRecord> ProveAndSubmitAsync(DeadlineInfo deadline, IReadOnlyList<ProvingSector> proving, byte[] randomness, PoStTimeline timeline, DeadlineProgress progress, CancellationToken proofToken)
    {
        var partitions = await chain.DeadlinePartitionsAsync(minerId, deadline.Index, proofToken).ConfigureAwait(false);
        var held = proving.DistinctBy(s => s.Number).ToDictionary(s => s.Number);
        var perPartition = proving.Count == 0 ? 1 : PoStInputs.ProofFor(proving, PoStType.Window).SectorsPerPartition;
        var batches = WindowPoStSubmitter.Batch(partitions, WindowPoStSubmitter.PartitionsPerMessage(perPartition, options.MaxPartitionsPerPoStMessage), options.SingleRecoveringPartitionPerPostMessage);
        var submitter = new WindowPoStSubmitter(chain, minerId, options, logger);
        var results = await Task.WhenAll(batches.Select(b => ProveBatchAsync(deadline, b, held, randomness, submitter, timeline, progress, proofToken))).ConfigureAwait(false);

        var refusals = results.Where(r => r.Refusal is not null).Select(r => r.Refusal!).ToList();
        var error = refusals.Count == 0 ? null : Submitted(progress) + string.Join("; ", refusals);
        return new DeadlineRecord(
            deadline.Index,
            deadline.Open,
            results.Sum(r => r.Proven),
            results.Sum(r => r.Skipped),
            results.Sum(r => r.ProofPartitions),
            time.GetUtcNow(),
            error is null ? "Succeeded" : "Failed",
            error);
    }

    /// <summary>
    /// One batch as Lotus's runPoStCycle proves it: its good sectors proven (the prover drops unreadable ones and
    /// proves again without them), the randomness read again before sending (a changed challenge is proven again),
    /// the partitions with a proven sector sent with the rest of their sectors to prove as skipped.
    /// </summary>
    private async Task<BatchResult> ProveBatchAsync(DeadlineInfo deadline, IReadOnlyList<(int Index, Partition Partition)> batch, IReadOnlyDictionary<ulong, ProvingSector> held, byte[] randomness, WindowPoStSubmitter submitter, PoStTimeline timeline, DeadlineProgress progress, CancellationToken proofToken)
    {
        var key = batch[0].Index;
        var indexes = string.Join(',', batch.Select(b => b.Index));
        lock (progress)
        {
            if (progress.Messages.ContainsKey(key))
            {
                return progress.Results[key];
            }
        }

        var plans = WindowPoStSubmitter.Plan(batch, held);
        var toProve = plans.Sum(p => (int)p.ToProve.Count);
        var sectors = plans.SelectMany(p => p.Good).ToList();
        if (toProve == 0)
        {
            return new BatchResult(0, 0, 0, null); // nothing to prove in these partitions (Lotus skips such a batch)
        }

        if (sectors.Count == 0)
        {
            return Unsent(timeline, indexes, toProve, $"this miner holds none of their {toProve} sectors to prove");
        }

        for (var attempt = 1; ; attempt++)
        {
            WindowPoStOutcome outcome;
            try
            {
                outcome = await window.ProveAsync(minerId, sectors, randomness, timeline, proofToken).ConfigureAwait(false);
            }
            catch (PoStException e) when (e.Skipped is { Count: > 0 })
            {
                return Unsent(timeline, indexes, toProve, e.Message);
            }

            WindowLog.WindowProven(logger, deadline.Index, deadline.Open, outcome.Proven.Count, outcome.Skipped.Count, Convert.ToHexStringLower(outcome.Proof.ProofBytes ?? []));

            // Lotus reads the randomness again before sending: after a reorg below the challenge epoch the proof is stale.
            var check = await chain.WindowPoStRandomnessAsync(minerId, deadline, proofToken).ConfigureAwait(false);
            if (!check.AsSpan().SequenceEqual(randomness))
            {
                WindowLog.RandomnessChanged(logger, deadline.Index, deadline.Challenge, attempt);
                timeline.Local("randomness", timeline.Now, sectors.Count, "Failed", $"the randomness at epoch {deadline.Challenge} changed after proving partitions {indexes}; proving them again");
                randomness = check;
                continue;
            }

            var posted = WindowPoStSubmitter.Posted(plans, outcome.Proven);
            var cid = await submitter.SubmitAsync(deadline, posted, outcome.Proof, timeline, proofToken).ConfigureAwait(false);
            var result = new BatchResult(outcome.Proven.Count, toProve - outcome.Proven.Count, outcome.Partitions, null);
            lock (progress)
            {
                progress.Messages[key] = cid;
                progress.Results[key] = result;
            }

            return result;
        }
    }

    private static BatchResult Unsent(PoStTimeline timeline, string indexes, int toProve, string why)
    {
        var refusal = $"partitions {indexes} not submitted: {why}; the chain faults their sectors when the deadline closes";
        timeline.Local("submit", timeline.Now, 0, "Failed", refusal);
        return new BatchResult(0, toProve, 0, refusal);
    }

    /// <summary>What one batch came to: sectors proven and skipped, proof partitions, or why it was not sent.</summary>
    private sealed record BatchResult(int Proven, int Skipped, int ProofPartitions, string? Refusal);

    /// <summary>What a deadline's attempts have done so far: the batches on chain (by first partition), its sector count.</summary>
    private sealed class DeadlineProgress
    {
        public SortedDictionary<int, Cid> Messages { get; } = [];

        public Dictionary<int, BatchResult> Results { get; } = [];

        public int Sectors { get; set; }

        /// <summary>The last reason the chain gave for not answering, when an attempt was retried.</summary>
        public string? ChainError { get; set; }
    }

    private static partial class WindowLog
    {
        [LoggerMessage(EventId = 6004, EventName = "DeadlineProven", Level = LogLevel.Information, Message = "deadline {Deadline} (open {Open}): window PoSt of {Sectors} sectors ({Skipped} skipped) verified; proof {Proof}")]
        public static partial void WindowProven(ILogger logger, int deadline, long open, int sectors, int skipped, string proof);

        [LoggerMessage(EventId = 6005, EventName = "DeadlineFailed", Level = LogLevel.Error, Message = "deadline {Deadline} (open {Open}): window PoSt failed: {Reason}")]
        public static partial void WindowFailed(ILogger logger, int deadline, long open, string reason);

        [LoggerMessage(EventId = 6044, EventName = "DeadlineRetrying", Level = LogLevel.Warning, Message = "deadline {Deadline}: the chain did not answer, trying again in {Delay} until the deadline closes: {Reason}")]
        public static partial void Retrying(ILogger logger, int deadline, TimeSpan delay, string reason);

        [LoggerMessage(EventId = 6045, EventName = "DeadlineCloseNear", Level = LogLevel.Warning, Message = "deadline {Deadline} closes at epoch {Close}, {Epochs} epochs from now, and its window PoSt is not all on chain ({Landed} messages landed)")]
        public static partial void CloseNear(ILogger logger, int deadline, long close, int epochs, int landed);

        [LoggerMessage(EventId = 6046, EventName = "WindowPoStRandomnessChanged", Level = LogLevel.Warning, Message = "deadline {Deadline}: windowpost randomness at epoch {Challenge} changed after proving (attempt {Attempt}); proving again")]
        public static partial void RandomnessChanged(ILogger logger, int deadline, long challenge, int attempt);

        [LoggerMessage(EventId = 6047, EventName = "DeclarationsFailed", Level = LogLevel.Error, Message = "declarations for deadline {Deadline} failed: {Reason}")]
        public static partial void DeclarationsFailed(ILogger logger, int deadline, string reason);
    }
}
