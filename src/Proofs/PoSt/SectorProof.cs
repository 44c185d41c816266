using Kiln.Proofs.Fields;
using Kiln.Proofs.Merkle;

namespace Kiln.Proofs.PoSt;

/// <summary>
/// storage-proofs-post's <c>SectorProof</c>: one tree_r_last inclusion proof per challenged leaf and
/// the sector's comm_c and comm_r_last (comm_r = Poseidon₂(comm_c, comm_r_last)).
/// </summary>
public sealed class SectorProof
{
    /// <exception cref="ArgumentException">A commitment is not 32 bytes.</exception>
    public SectorProof(IReadOnlyList<MerkleProof> inclusionProofs, ReadOnlyMemory<byte> commC, ReadOnlyMemory<byte> commRLast)
    {
        ArgumentNullException.ThrowIfNull(inclusionProofs);
        if (commC.Length != Fr.ByteLength || commRLast.Length != Fr.ByteLength)
        {
            throw new ArgumentException($"comm_c and comm_r_last are {Fr.ByteLength} bytes, got {commC.Length} and {commRLast.Length}");
        }

        InclusionProofs = inclusionProofs;
        CommC = commC;
        CommRLast = commRLast;
    }

    /// <summary>The proofs in challenge order.</summary>
    public IReadOnlyList<MerkleProof> InclusionProofs { get; }

    public ReadOnlyMemory<byte> CommC { get; }

    public ReadOnlyMemory<byte> CommRLast { get; }
}
