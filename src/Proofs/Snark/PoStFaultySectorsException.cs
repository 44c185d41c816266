namespace Kiln.Proofs.Snark;

/// <summary>
/// A PoSt SNARK could not be produced because some sectors' vanilla proofs failed; <see cref="FaultySectors"/>
/// names them (filecoin-ffi's <c>faulty_sectors</c> on a non-zero status). The caller drops those sectors
/// (declares them skipped) and proves the rest again; the same input fails the same way.
/// </summary>
public sealed class PoStFaultySectorsException : ProofsException
{
    public PoStFaultySectorsException(string message, IReadOnlyList<ulong> faultySectors)
        : base(message)
    {
        ArgumentNullException.ThrowIfNull(faultySectors);
        FaultySectors = faultySectors;
    }

    /// <summary>Sector numbers whose vanilla proofs failed.</summary>
    public IReadOnlyList<ulong> FaultySectors { get; }
}
