namespace Kiln.Stores.PoSt;

/// <summary>
/// How a <see cref="PartitionProver"/> reads vanilla proofs (Lotus storage/sealer/worker_local.go WorkerConfig
/// <c>MaxParallelChallengeReads</c> and <c>ChallengeReadTimeout</c>; lotus-worker <c>--post-parallel-reads</c> and
/// <c>--post-read-timeout</c>).
/// </summary>
public sealed class PartitionProverOptions
{
    /// <summary>lotus-worker's default <c>--post-parallel-reads</c>.</summary>
    public const int DefaultParallelReads = 32;

    /// <summary>At most this many sectors read at once for one window PoSt partition (default <see cref="DefaultParallelReads"/>).</summary>
    public int ParallelReads { get; set; } = DefaultParallelReads;

    /// <summary>How long one sector's read may take before the sector is skipped; <see cref="TimeSpan.Zero"/> (the default) is no limit.</summary>
    public TimeSpan ReadTimeout { get; set; } = TimeSpan.Zero;

    /// <summary>Throws when a value is out of range.</summary>
    /// <exception cref="ArgumentException">Fewer than one parallel read, or a negative timeout.</exception>
    public void Validate()
    {
        if (ParallelReads < 1)
        {
            throw new ArgumentException($"PoSt parallel vanilla reads must be at least 1, got {ParallelReads}", nameof(ParallelReads));
        }

        if (ReadTimeout < TimeSpan.Zero)
        {
            throw new ArgumentException($"PoSt vanilla read timeout must not be negative, got {ReadTimeout}", nameof(ReadTimeout));
        }
    }
}
