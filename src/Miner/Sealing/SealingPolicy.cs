using Kiln.Miner.Chain;

namespace Kiln.Miner.Sealing;

/// <summary>The sealing pipeline's chain rules: ticket age and a CC sector's expiration, as Lotus computes them.</summary>
public static class SealingPolicy
{
    /// <summary>Seconds per epoch in Lotus's epoch arithmetic for lifetimes (builtin.EpochDurationSeconds).</summary>
    public const long EpochDurationSeconds = 30;

    /// <summary>
    /// The buffer Lotus takes off a CC sector's lifetime so the sector can be extended before it expires (node/modules
    /// storageminer.go NewBasicPreCommitPolicy provingBuffer: two proving periods).
    /// </summary>
    public const long ProvingBuffer = 2 * ChainPolicy.WPoStProvingPeriod;

    /// <summary>Lotus states_sealing.go checkTicketExpired: the ticket is older than MaxTicketAge (MaxPreCommitRandomnessLookback).</summary>
    public static bool TicketExpired(long ticketEpoch, long head) => head - ticketEpoch > ChainPolicy.MaxPreCommitRandomnessLookback;

    /// <summary>
    /// A CC sector's expiration for a pre-commit at <paramref name="head"/>: Lotus precommit_policy.go
    /// BasicPreCommitPolicy.Expiration (head + the CC lifetime less the proving buffer, at least MinSectorExpiration and a
    /// proving period from now), then states_sealing.go preCommitInfo's bounds (at least ticket epoch +
    /// MaxPreCommitRandomnessLookback + MaxProveCommitDuration + MinSectorExpiration, at most head +
    /// PreCommitChallengeDelay + MaxSectorExpirationExtension).
    /// </summary>
    public static long Expiration(long head, long ticketEpoch, long preCommitChallengeDelay, TimeSpan ccLifetime)
    {
        // precommit_policy.go getCCSectorLifetime: 0 means the longest; out-of-range values are clamped (without the buffer).
        var lifetime = (long)ccLifetime.TotalSeconds / EpochDurationSeconds;
        if (lifetime == 0)
        {
            lifetime = ChainPolicy.MaxSectorExpirationExtension;
        }

        if (lifetime < ChainPolicy.MinSectorExpiration)
        {
            lifetime = ChainPolicy.MinSectorExpiration;
        }
        else if (lifetime > ChainPolicy.MaxSectorExpirationExtension)
        {
            lifetime = ChainPolicy.MaxSectorExpirationExtension;
        }
        else
        {
            lifetime -= ProvingBuffer;
        }
        var expiration = Math.Max(head + lifetime, head + ChainPolicy.MinSectorExpiration + ChainPolicy.WPoStProvingPeriod);
        var min = ticketEpoch + ChainPolicy.MaxPreCommitRandomnessLookback + ChainPolicy.MaxProveCommitDuration(preCommitChallengeDelay) + ChainPolicy.MinSectorExpiration;
        var max = head + preCommitChallengeDelay + ChainPolicy.MaxSectorExpirationExtension;
        return Math.Min(Math.Max(expiration, min), max);
    }
}
