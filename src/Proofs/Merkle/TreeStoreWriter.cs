namespace Kiln.Proofs.Merkle;

/// <summary>
/// Receives consecutive nodes of one row of a tree being built: <paramref name="offset"/> is the byte
/// offset of the first node within the store (file or buffer) the builder fills.
/// </summary>
public delegate void TreeStoreWriter(long offset, ReadOnlySpan<byte> nodes);
