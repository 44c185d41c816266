namespace Kiln.Proofs.Snark;

/// <summary>
/// The outcome of <see cref="ISnarkProver.GenerateWindowPoStWithVanilla"/> (ffi <c>GenerateWindowPoSt_t</c>):
/// the proofs (one <see cref="PoStProofBytes"/> holding every partition's 192 bytes in partition order) and the
/// faulty sectors the prover reported alongside them (empty when the SNARK succeeded; faults that stop the
/// SNARK are thrown as <see cref="PoStFaultySectorsException"/>).
/// </summary>
public sealed class WindowPoStSnarkResult
{
    public WindowPoStSnarkResult(IReadOnlyList<PoStProofBytes> proofs, IReadOnlyList<ulong> faultySectors)
    {
        ArgumentNullException.ThrowIfNull(proofs);
        ArgumentNullException.ThrowIfNull(faultySectors);
        Proofs = proofs;
        FaultySectors = faultySectors;
    }

    public IReadOnlyList<PoStProofBytes> Proofs { get; }

    /// <summary>Sector numbers reported faulty.</summary>
    public IReadOnlyList<ulong> FaultySectors { get; }
}
