namespace Kiln.Stores;

/// <summary>
/// A failure of sector storage: the index, local paths, the <c>/remote</c> store or a fetch.
/// <see cref="IsRetryable"/> says whether the same request may succeed later (e.g. once space frees up).
/// </summary>
public class StoresException : Exception
{
    public StoresException(string message, bool isRetryable = false, Exception? inner = null)
        : base(message, inner) => IsRetryable = isRetryable;

    /// <summary>True when the same request may succeed later; Lotus reports such failures as <c>ErrTempAllocateSpace</c> (102).</summary>
    public bool IsRetryable { get; }
}
