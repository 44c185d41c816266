using Kiln.Miner.Chain;

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
    ILogger<ProvingLoop> logger,
    SectorChecker? checker = null)
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

        [LoggerMessage(EventId = 6006, EventName = "WinningPoStVerified", Level = LogLevel.Information, Message = "epoch {Epoch}: winning PoSt of sector {Sector} verified; proof {Proof}")]
        public static partial void WinningProven(ILogger logger, long epoch, ulong sector, string proof);

        [LoggerMessage(EventId = 6007, EventName = "WinningPoStFailed", Level = LogLevel.Error, Message = "epoch {Epoch}: winning PoSt failed: {Reason}")]
        public static partial void WinningFailed(ILogger logger, long epoch, string reason);

        [LoggerMessage(EventId = 6008, EventName = "ChainUnavailable", Level = LogLevel.Warning, Message = "proving loop: chain unavailable, trying again in {Delay}: {Reason}")]
        public static partial void ChainUnavailable(ILogger logger, string reason, TimeSpan delay);
    }
}
