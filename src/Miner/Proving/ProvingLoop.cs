namespace Kiln.Miner.Proving;

/// <summary>
/// Drives proving off the chain: when the miner's deadline opens, the Proving sectors assigned to it (by the
/// chain's partitions, or number mod 48 on the devnet) are proven with <see cref="WindowPoStProver"/> and the
/// result goes to the deadlines table (and each partition to the job tracker); every <see cref="ProvingOptions.WinningEvery"/> epochs a Winning PoSt round runs over all
/// Proving sectors. Submission is out of scope: proofs and their verification are logged.
/// </summary>
public sealed partial class ProvingLoop(
    IChain chain,
    Func<CancellationToken, Task<IReadOnlyList<ProvingSector>>> provingSectors,
    WindowPoStProver window,
    WinningPoStProver winning,
    DeadlineStore deadlines,
    ProvingOptions options,
    ulong minerId,
    TimeProvider time,
    ILogger<ProvingLoop> logger)
{
    /// <summary>The epoch and outcome of the last Winning PoSt round that had sectors (null outcome: it failed).</summary>
    public (long Epoch, WinningPoStOutcome? Outcome, string? Error)? LastWinning { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        long provenOpen = -1;
        long winningRound = -1;
        Log.Started(logger, options.EpochDuration, options.WinningEvery);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    var deadline = await chain.ProvingDeadlineAsync(minerId, cancellationToken).ConfigureAwait(false);
                    var epoch = deadline.CurrentEpoch;
                    if (deadline.Open != provenOpen)
                    {
                        await ProveDeadlineAsync(deadline, cancellationToken).ConfigureAwait(false);
                        provenOpen = deadline.Open;
                    }

                    if (epoch / options.WinningEvery != winningRound)
                    {
                        winningRound = epoch / options.WinningEvery;
                        await WinningRoundAsync(epoch, cancellationToken).ConfigureAwait(false);
                    }

                    var now = await chain.ProvingDeadlineAsync(minerId, cancellationToken).ConfigureAwait(false);
                    var wake = Math.Min(now.Close, ((now.CurrentEpoch / options.WinningEvery) + 1) * options.WinningEvery);
                    await chain.WaitForEpochAsync(wake, cancellationToken).ConfigureAwait(false);
                }
                catch (ChainException e) when (e.Retryable)
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

    /// <summary>Proves the sectors of one deadline and records the outcome; null when the deadline has no sectors.</summary>
    public async Task<DeadlineRecord?> ProveDeadlineAsync(DeadlineInfo deadline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deadline);
        var assigned = await chain.DeadlineSectorsAsync(minerId, deadline, cancellationToken).ConfigureAwait(false);
        var sectors = (await provingSectors(cancellationToken).ConfigureAwait(false))
            .Where(s => assigned?.Contains(s.Number) ?? DeadlineInfo.ForSector(s.Number) == deadline.Index).ToList();
        if (sectors.Count == 0)
        {
            return null;
        }

        DeadlineRecord record;
        try
        {
            var timeline = PoStTimeline.ForDeadline(deadline, time);
            var randomness = await chain.WindowPoStRandomnessAsync(minerId, deadline, cancellationToken).ConfigureAwait(false);
            timeline.Local("randomness", timeline.Started, sectors.Count, detail: $"challenge epoch {deadline.Challenge}");
            var outcome = await window.ProveAsync(minerId, sectors, randomness, timeline, cancellationToken).ConfigureAwait(false);
            Log.WindowProven(logger, deadline.Index, deadline.Open, outcome.Proven.Count, outcome.Skipped.Count, Convert.ToHexStringLower(outcome.Proof.ProofBytes ?? []));
            record = new DeadlineRecord(deadline.Index, deadline.Open, outcome.Proven.Count, outcome.Skipped.Count, outcome.Partitions, time.GetUtcNow(), "Succeeded", null);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.WindowFailed(logger, deadline.Index, deadline.Open, e.Message);
            record = new DeadlineRecord(deadline.Index, deadline.Open, sectors.Count, 0, 0, time.GetUtcNow(), "Failed", e.Message);
        }

        await deadlines.RecordAsync(record, cancellationToken).ConfigureAwait(false);
        return record;
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
            return outcome;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.WinningFailed(logger, epoch, e.Message);
            LastWinning = (epoch, null, e.Message);
            return null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(240, LogLevel.Information, "proving loop started: epochs of {Epoch}, winning PoSt every {Every} epochs")]
        public static partial void Started(ILogger logger, TimeSpan epoch, int every);

        [LoggerMessage(241, LogLevel.Information, "deadline {Deadline} (open {Open}): window PoSt of {Sectors} sectors ({Skipped} skipped) verified; proof {Proof}")]
        public static partial void WindowProven(ILogger logger, int deadline, long open, int sectors, int skipped, string proof);

        [LoggerMessage(242, LogLevel.Error, "deadline {Deadline} (open {Open}): window PoSt failed: {Reason}")]
        public static partial void WindowFailed(ILogger logger, int deadline, long open, string reason);

        [LoggerMessage(243, LogLevel.Information, "epoch {Epoch}: winning PoSt of sector {Sector} verified; proof {Proof}")]
        public static partial void WinningProven(ILogger logger, long epoch, ulong sector, string proof);

        [LoggerMessage(244, LogLevel.Error, "epoch {Epoch}: winning PoSt failed: {Reason}")]
        public static partial void WinningFailed(ILogger logger, long epoch, string reason);

        [LoggerMessage(245, LogLevel.Warning, "proving loop: chain unavailable, trying again in {Delay}: {Reason}")]
        public static partial void ChainUnavailable(ILogger logger, string reason, TimeSpan delay);
    }
}
