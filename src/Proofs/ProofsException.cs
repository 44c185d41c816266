namespace Kiln.Proofs;

/// <summary>
/// A proofs operation failed on its input (bad piece, corrupt cache, mismatched commitment).
/// Not isRetryable: the same input fails the same way.
/// </summary>
public class ProofsException : Exception
{
    public ProofsException(string message)
        : base(message)
    {
    }

    public ProofsException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Whether running the same operation again could succeed.</summary>
    public virtual bool IsRetryable => false;
}
