using Kiln.Api.Types;
using Kiln.Proofs;

namespace Kiln.Api.Chain;

/// <summary>Lotus <c>miner.SectorOnChainInfo</c> JSON (StateSectorGetInfo): the fields Kiln reads; the others are ignored.</summary>
public sealed record SectorOnChainInfo
{
    public ulong SectorNumber { get; init; }

    public RegisteredSealProof SealProof { get; init; }

    public Cid SealedCID { get; init; }

    public long Activation { get; init; }

    public long Expiration { get; init; }

    public TokenAmount DealWeight { get; init; }

    public TokenAmount VerifiedDealWeight { get; init; }

    public TokenAmount InitialPledge { get; init; }

    public Cid? SectorKeyCID { get; init; }
}
