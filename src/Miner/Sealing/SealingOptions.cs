using Kiln.Api.Chain;
using Kiln.Miner.Chain;

namespace Kiln.Miner.Sealing;

/// <summary>
/// Lotus's <c>[Sealing]</c> batching settings and <c>[Fees]</c> batch fee caps (Lotus node/config/def.go
/// DefaultStorageMiner, types.go SealingConfig / MinerFeeConfig), with Lotus's defaults.
/// </summary>
public sealed class SealingOptions
{
    /// <summary>Send a pre-commit batch as soon as it holds this many sectors (MaxPreCommitBatch, 256).</summary>
    public int MaxPreCommitBatch { get; set; } = ChainPolicy.PreCommitSectorBatchMaxSize;

    /// <summary>The longest a pre-commit waits in the batch (PreCommitBatchWait, 24 h).</summary>
    public TimeSpan PreCommitBatchWait { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Send the batch this long before the earliest sector's ticket would expire (PreCommitBatchSlack, 3 h).</summary>
    public TimeSpan PreCommitBatchSlack { get; set; } = TimeSpan.FromHours(3);

    /// <summary>Aggregate the proofs of a commit batch of at least this many sectors (MinCommitBatch, 4), when an aggregator is present.</summary>
    public int MinCommitBatch { get; set; } = ChainPolicy.MinAggregatedSectors;

    /// <summary>Send a commit batch as soon as it holds this many sectors (MaxCommitBatch, 819).</summary>
    public int MaxCommitBatch { get; set; } = ChainPolicy.MaxAggregatedSectors;

    /// <summary>The longest a proof waits in the commit batch (CommitBatchWait, 24 h).</summary>
    public TimeSpan CommitBatchWait { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Send the batch this long before the earliest sector's prove-commit deadline (CommitBatchSlack, 1 h).</summary>
    public TimeSpan CommitBatchSlack { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Max fee per sector of a PreCommitSectorBatch2 ([Fees] MaxPreCommitBatchGasFee.PerSector, 0.02 FIL).</summary>
    public TokenAmount MaxPreCommitBatchGasFeePerSector { get; set; } = new(20_000_000_000_000_000);

    /// <summary>Max fee per sector of a ProveCommitSectors3 ([Fees] MaxCommitBatchGasFee.PerSector, 0.03 FIL).</summary>
    public TokenAmount MaxCommitBatchGasFeePerSector { get; set; } = new(30_000_000_000_000_000);

    /// <summary>Pay deposits and pledges from the miner actor's available balance before sending value (CollateralFromMinerBalance).</summary>
    public bool CollateralFromMinerBalance { get; set; }

    /// <summary>Of the available balance, keep this much (AvailableBalanceBuffer).</summary>
    public TokenAmount AvailableBalanceBuffer { get; set; }

    /// <summary>A CC sector's lifetime (CommittedCapacitySectorLifetime; default: Lotus's, the v20 max extension of 540 days).</summary>
    public TimeSpan CommittedCapacitySectorLifetime { get; set; } = TimeSpan.FromSeconds(540 * ChainPolicy.EpochsInDay * 30);

    /// <summary>ProveCommitSectors3's RequireActivationSuccess (false).</summary>
    public bool RequireActivationSuccess { get; set; }

    /// <summary>ProveCommitSectors3's RequireNotificationSuccess (false).</summary>
    public bool RequireNotificationSuccess { get; set; }

    /// <summary>How long a PreCommitFailed or CommitFailed sector waits before its retry (Lotus states_failed.go MinRetryTime, 1 min).</summary>
    public TimeSpan MinRetryTime { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Confidence (epochs on top) before a message's receipt is trusted (Lotus MessageConfidence, 5).</summary>
    public ulong MessageConfidence { get; set; } = ChainPolicy.MessageConfidence;

    /// <summary>The batch waits and the failed-state cooldown on the devnet chain, in its epochs.</summary>
    public const int DevnetWaitEpochs = 10;

    /// <summary>
    /// Paces batching to the devnet chain: each batch wait and the cooldown still at Lotus's day-long (or minute-long)
    /// default becomes <see cref="DevnetWaitEpochs"/> epochs, and the slacks still at their defaults become zero, so a
    /// devnet sector is not held a day in a batch. Settings given explicitly are kept. Returns whether anything changed.
    /// </summary>
    public bool UseDevnetPace(TimeSpan epoch)
    {
        var lotus = new SealingOptions();
        var wait = epoch * DevnetWaitEpochs;
        var changed = false;
        if (PreCommitBatchWait == lotus.PreCommitBatchWait)
        {
            (PreCommitBatchWait, changed) = (wait, true);
        }

        if (CommitBatchWait == lotus.CommitBatchWait)
        {
            (CommitBatchWait, changed) = (wait, true);
        }

        if (PreCommitBatchSlack == lotus.PreCommitBatchSlack)
        {
            (PreCommitBatchSlack, changed) = (TimeSpan.Zero, true);
        }

        if (CommitBatchSlack == lotus.CommitBatchSlack)
        {
            (CommitBatchSlack, changed) = (TimeSpan.Zero, true);
        }

        if (MinRetryTime == lotus.MinRetryTime)
        {
            (MinRetryTime, changed) = (wait, true);
        }

        return changed;
    }

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        if (MaxPreCommitBatch is < 1 or > ChainPolicy.PreCommitSectorBatchMaxSize)
        {
            throw new InvalidOperationException($"MaxPreCommitBatch must be 1 to {ChainPolicy.PreCommitSectorBatchMaxSize}, not {MaxPreCommitBatch}");
        }

        if (MaxCommitBatch is < 1 or > ChainPolicy.MaxAggregatedSectors || MinCommitBatch < 1)
        {
            throw new InvalidOperationException($"MaxCommitBatch must be 1 to {ChainPolicy.MaxAggregatedSectors} and MinCommitBatch at least 1 (MinCommitBatch {MinCommitBatch}, MaxCommitBatch {MaxCommitBatch})");
        }

        if (PreCommitBatchWait <= TimeSpan.Zero || CommitBatchWait <= TimeSpan.Zero || PreCommitBatchSlack < TimeSpan.Zero || CommitBatchSlack < TimeSpan.Zero || MinRetryTime < TimeSpan.Zero)
        {
            throw new InvalidOperationException("PreCommitBatchWait and CommitBatchWait must be positive; the slacks and MinRetryTime must not be negative");
        }

        if (MaxPreCommitBatchGasFeePerSector.Atto.Sign < 0 || MaxCommitBatchGasFeePerSector.Atto.Sign < 0 || AvailableBalanceBuffer.Atto.Sign < 0)
        {
            throw new InvalidOperationException("gas fee caps and AvailableBalanceBuffer must not be negative");
        }
    }
}
