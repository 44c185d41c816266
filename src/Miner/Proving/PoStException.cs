namespace Kiln.Miner.Proving;

/// <summary>A PoSt could not be produced; <see cref="IsRetryable"/> says whether trying again (later, elsewhere) may help.</summary>
public sealed class PoStException(string message, bool isRetryable, Exception? innerException = null) : Exception(message, innerException)
{
    public bool IsRetryable { get; } = isRetryable;
}
