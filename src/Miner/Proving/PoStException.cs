namespace Kiln.Miner.Proving;

/// <summary>A PoSt could not be produced; <see cref="Retryable"/> says whether trying again (later, elsewhere) may help.</summary>
public sealed class PoStException(string message, bool retryable, Exception? innerException = null) : Exception(message, innerException)
{
    public bool Retryable { get; } = retryable;
}
