namespace Kiln.Worker.Run;

/// <summary>Settings of <see cref="CachingTokenVerifier"/>.</summary>
public sealed class CachingTokenVerifierOptions
{
    /// <summary>How long a verified token is trusted without asking the miner again (1 minute).</summary>
    public TimeSpan FreshFor { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long after its last verification a token is still trusted while the miner cannot answer (1 hour).</summary>
    public TimeSpan ServeStaleFor { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long one <c>AuthVerify</c> call may take before the miner counts as unavailable (5 s).</summary>
    public TimeSpan VerifyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>After the miner failed to answer, how long cached tokens are served without asking it again (10 s).</summary>
    public TimeSpan RetryMinerAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The most tokens cached (1024); only tokens the miner verified are cached, so this bounds its memory.</summary>
    public int MaxEntries { get; set; } = 1024;

    /// <exception cref="ArgumentOutOfRangeException">A duration not positive, staleness shorter than freshness, or no room for an entry.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(FreshFor, TimeSpan.Zero, nameof(FreshFor));
        ArgumentOutOfRangeException.ThrowIfLessThan(ServeStaleFor, FreshFor, nameof(ServeStaleFor));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(VerifyTimeout, TimeSpan.Zero, nameof(VerifyTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxEntries, 1, nameof(MaxEntries));
        ArgumentOutOfRangeException.ThrowIfLessThan(RetryMinerAfter, TimeSpan.Zero, nameof(RetryMinerAfter));
    }
}
