namespace Kiln.Proofs.Snark;

/// <summary>
/// What a PoSt verifier knows of one challenged sector (ffi <c>PublicReplicaInfo_t</c>): its PoSt proof type,
/// comm_r and sector number.
/// </summary>
public sealed class PublicReplica
{
    /// <param name="postType">The registered PoSt proof.</param>
    /// <param name="commR">The sector's 32-byte comm_r; copied.</param>
    /// <param name="sectorId">The sector number.</param>
    public PublicReplica(RegisteredPoStProof postType, ReadOnlySpan<byte> commR, ulong sectorId)
    {
        SnarkArguments.ThrowIfUndefined(postType, nameof(postType));
        SnarkArguments.ThrowIfNot32(commR, nameof(commR));
        PostType = postType;
        CommR = commR.ToArray();
        SectorId = sectorId;
    }

    /// <summary>The registered PoSt proof.</summary>
    public RegisteredPoStProof PostType { get; }

    /// <summary>comm_r, 32 bytes.</summary>
    public ReadOnlyMemory<byte> CommR { get; }

    public ulong SectorId { get; }

    public override string ToString() => $"PublicReplica(sector {SectorId}, type {PostType})";
}
