using Kiln.Api.Types;
using Kiln.Proofs;

namespace Kiln.Api.Chain;

/// <summary>
/// go-state-types <c>builtin.ExtendedSectorInfo</c> (in <see cref="MiningBaseInfo.Sectors"/>): a sector the Winning
/// PoSt may challenge. JSON <c>{"SealProof", "SectorNumber", "SectorKey", "SealedCID"}</c>.
/// </summary>
public sealed record ExtendedSectorInfo
{
    /// <summary>The seal proof type.</summary>
    public RegisteredSealProof SealProof { get; init; }

    /// <summary>The sector number.</summary>
    public ulong SectorNumber { get; init; }

    /// <summary>The sealed CID before a snap-deal update (null when never updated).</summary>
    public Cid? SectorKey { get; init; }

    /// <summary>The sealed sector's CID (comm_r).</summary>
    public Cid SealedCID { get; init; }
}
