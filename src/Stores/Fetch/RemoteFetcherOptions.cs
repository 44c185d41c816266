namespace Kiln.Stores.Fetch;

/// <summary>How a host fetches sector files from other hosts' <c>/remote</c> stores.</summary>
public sealed class RemoteFetcherOptions
{
    /// <summary>lotus-worker <c>--parallel-fetch-limit</c> default (the miner's <c>ParallelFetchLimit</c> is 10).</summary>
    public const int DefaultParallelFetchLimit = 5;

    /// <summary>The admin token sent as <c>Authorization: Bearer …</c> on every GET and DELETE (null = none).</summary>
    public string? AuthToken { get; set; }

    /// <summary>At most this many downloads at once (default <see cref="DefaultParallelFetchLimit"/>).</summary>
    public int ParallelFetchLimit { get; set; } = DefaultParallelFetchLimit;

    public void Validate()
    {
        if (ParallelFetchLimit < 1)
        {
            throw new ArgumentException("RemoteFetcherOptions.ParallelFetchLimit must be at least 1", nameof(ParallelFetchLimit));
        }
    }
}
