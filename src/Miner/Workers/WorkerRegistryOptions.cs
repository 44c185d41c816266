namespace Kiln.Miner.Workers;

/// <summary>How the miner watches its workers.</summary>
public sealed class WorkerRegistryOptions
{
    /// <summary>Lotus's paths.HeartbeatInterval.</summary>
    public static readonly TimeSpan DefaultHeartbeatInterval = TimeSpan.FromSeconds(10);

    /// <summary>Lotus gives each Session call 5 s.</summary>
    public static readonly TimeSpan DefaultSessionTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How often every worker's Session is polled. Default <see cref="DefaultHeartbeatInterval"/>.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = DefaultHeartbeatInterval;

    /// <summary>Time allowed for one Session call. Default <see cref="DefaultSessionTimeout"/>.</summary>
    public TimeSpan SessionTimeout { get; set; } = DefaultSessionTimeout;
}
