namespace Kiln.Miner.Chain;

/// <summary>
/// The chain could not answer: the node is unreachable or rejected the call. <see cref="IsRetryable"/> says whether
/// asking again later may help (a connection failure or timeout) or not (an error answer, a bad token, bad JSON).
/// </summary>
public sealed class ChainException(string message, bool isRetryable, Exception? innerException = null) : Exception(message, innerException)
{
    public bool IsRetryable { get; } = isRetryable;
}
