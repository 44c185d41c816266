namespace Kiln.Stores.Remote;

/// <summary>How a PoSt worker reads sectors' vanilla proofs (lotus-worker <c>--post-parallel-reads</c>, <c>--post-read-timeout</c>).</summary>
public sealed class VanillaReaderOptions
{
    /// <summary>lotus-worker's default <c>--post-parallel-reads</c>.</summary>
    public const int DefaultPostParallelReads = 32;

    /// <summary>The admin token sent as <c>Authorization: Bearer …</c> to other hosts' <c>/remote</c> (null = none).</summary>
    public string? AuthToken { get; set; }

    /// <summary>At most this many sectors read at once by <see cref="VanillaProofReader.ReadManyAsync"/> (default <see cref="DefaultPostParallelReads"/>).</summary>
    public int PostParallelReads { get; set; } = DefaultPostParallelReads;

    /// <summary>How long one sector's read may take before it counts as skipped; <see cref="TimeSpan.Zero"/> (the default) is no limit.</summary>
    public TimeSpan PostReadTimeout { get; set; } = TimeSpan.Zero;

    public void Validate()
    {
        if (PostParallelReads < 1)
        {
            throw new ArgumentException("--post-parallel-reads must be at least 1", nameof(PostParallelReads));
        }

        if (PostReadTimeout < TimeSpan.Zero)
        {
            throw new ArgumentException("--post-read-timeout must not be negative", nameof(PostReadTimeout));
        }
    }
}
