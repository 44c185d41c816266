namespace Kiln.Miner.Workers;

/// <summary>How the miner watches its workers.</summary>
public sealed class WorkerRegistryOptions
{
    /// <summary>Lotus's paths.HeartbeatInterval.</summary>
    public static readonly TimeSpan DefaultHeartbeatInterval = TimeSpan.FromSeconds(10);

    /// <summary>Lotus gives each Session call 5 s.</summary>
    public static readonly TimeSpan DefaultSessionTimeout = TimeSpan.FromSeconds(5);

    /// <summary>A worker whose heartbeat has failed this long is lost: its running calls fail with code 101 so the work is scheduled again, and it is removed.</summary>
    public static readonly TimeSpan DefaultLostAfter = TimeSpan.FromMinutes(1);

    /// <summary>How long a disabled worker may stay unreachable before its calls are given up. Default <see cref="DefaultLostAfter"/>.</summary>
    public TimeSpan LostAfter { get; set; } = DefaultLostAfter;

    /// <summary>How often every worker's Session is polled. Default <see cref="DefaultHeartbeatInterval"/>.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = DefaultHeartbeatInterval;

    /// <summary>Heartbeats (Session calls) in flight at once, whatever the number of workers. Default 32.</summary>
    public int MaxConcurrentHeartbeats { get; set; } = 32;

    /// <summary>Time allowed for one Session call. Default <see cref="DefaultSessionTimeout"/>.</summary>
    public TimeSpan SessionTimeout { get; set; } = DefaultSessionTimeout;

    /// <summary>Throws when the heartbeat interval or Session timeout is not positive, LostAfter is negative, or the heartbeat limit is below one.</summary>
    public void Validate()
    {
        if (HeartbeatInterval <= TimeSpan.Zero || SessionTimeout <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"Workers.HeartbeatInterval and Workers.SessionTimeout must be positive, not {HeartbeatInterval} and {SessionTimeout}");
        }

        if (LostAfter < TimeSpan.Zero)
        {
            throw new InvalidOperationException($"Workers.LostAfter must not be negative (zero: lost at the first failed heartbeat), not {LostAfter}");
        }

        if (MaxConcurrentHeartbeats < 1)
        {
            throw new InvalidOperationException($"Workers.MaxConcurrentHeartbeats must be at least 1, not {MaxConcurrentHeartbeats}");
        }
    }
}
