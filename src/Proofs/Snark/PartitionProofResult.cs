namespace Kiln.Proofs.Snark;

/// <summary>
/// The outcome of <see cref="ISnarkProver.GenerateSingleWindowPoStWithVanilla"/> (ffi
/// <c>GenerateSingleWindowPoStWithVanilla_t</c>): one partition's 192-byte proof and the faulty sectors reported
/// alongside it (empty when the SNARK succeeded; faults that stop the SNARK are thrown as
/// <see cref="PoStFaultySectorsException"/>).
/// </summary>
public sealed class PartitionProofResult
{
    public PartitionProofResult(PoStProofBytes partitionProof, IReadOnlyList<ulong> faultySectors)
    {
        ArgumentNullException.ThrowIfNull(partitionProof);
        ArgumentNullException.ThrowIfNull(faultySectors);
        PartitionProof = partitionProof;
        FaultySectors = faultySectors;
    }

    /// <summary>The partition's proof (ffi <c>PartitionSnarkProof_t</c>), input to <see cref="ISnarkProver.MergeWindowPoStPartitionProofs"/>.</summary>
    public PoStProofBytes PartitionProof { get; }

    /// <summary>Sector numbers reported faulty.</summary>
    public IReadOnlyList<ulong> FaultySectors { get; }
}
