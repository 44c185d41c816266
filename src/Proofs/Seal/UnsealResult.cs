namespace Kiln.Proofs.Seal;

/// <summary>What an unseal did: the padded byte ranges it decoded into the unsealed file (none when all were there) and how long the key took.</summary>
public sealed record UnsealResult(IReadOnlyList<(ulong Offset, ulong Size)> Decoded, TimeSpan Labeling)
{
    /// <summary>True when the requested range was already allocated in the unsealed file and nothing was done.</summary>
    public bool NothingToDo => Decoded.Count == 0;
}
