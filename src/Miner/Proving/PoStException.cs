namespace Kiln.Miner.Proving;

/// <summary>
/// A PoSt could not be produced; <see cref="IsRetryable"/> says whether trying again (later, elsewhere) may help, and
/// <see cref="Skipped"/> names the sectors dropped as unreadable when that is why.
/// </summary>
public sealed class PoStException(string message, bool isRetryable, Exception? innerException = null, IReadOnlyList<ulong>? skipped = null) : Exception(message, innerException)
{
    public bool IsRetryable { get; } = isRetryable;

    /// <summary>The sectors skipped as unreadable when every sector of the batch was (null otherwise).</summary>
    public IReadOnlyList<ulong>? Skipped { get; } = skipped;
}
