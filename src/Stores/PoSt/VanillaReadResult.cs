namespace Kiln.Stores.PoSt;

/// <summary>
/// What <see cref="PartitionProver.ReadVanillasAsync"/> got: one entry per requested sector, in request order (null where
/// the sector could not be read), and the numbers of those unread sectors in request order.
/// </summary>
public sealed record VanillaReadResult(IReadOnlyList<byte[]?> Proofs, IReadOnlyList<ulong> Skipped)
{
    /// <summary>Every proof was read.</summary>
    public bool Complete => Skipped.Count == 0;
}
