using Kiln.Api.Types;
using Kiln.Proofs;

namespace Kiln.Api.Chain;

/// <summary>Lotus <c>miner.SectorOnChainInfo</c> JSON (StateSectorGetInfo): the fields Kiln reads; the others are ignored.</summary>
public sealed record SectorOnChainInfo
{
    /// <summary>The sector number.</summary>
    public ulong SectorNumber { get; init; }

    /// <summary>The seal proof type.</summary>
    public RegisteredSealProof SealProof { get; init; }

    /// <summary>comm_r as a CID.</summary>
    public Cid SealedCID { get; init; }

    /// <summary>The epoch the sector became active.</summary>
    public long Activation { get; init; }

    /// <summary>The epoch the sector expires at.</summary>
    public long Expiration { get; init; }

    /// <summary>Deal weight (a big integer, not attoFIL).</summary>
    public TokenAmount DealWeight { get; init; }

    /// <summary>Verified deal weight (a big integer, not attoFIL).</summary>
    public TokenAmount VerifiedDealWeight { get; init; }

    /// <summary>The pledge locked for the sector.</summary>
    public TokenAmount InitialPledge { get; init; }

    /// <summary>The sector key's comm_r after a snap-deal update, else null.</summary>
    public Cid? SectorKeyCID { get; init; }
}
