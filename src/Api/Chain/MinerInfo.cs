using Kiln.Proofs;

namespace Kiln.Api.Chain;

/// <summary>Lotus <c>api.MinerInfo</c> (StateMinerInfo): the fields sealing and proving read; the others are ignored.</summary>
public sealed record MinerInfo
{
    public Address Owner { get; init; }

    public Address Worker { get; init; }

    public IReadOnlyList<Address>? ControlAddresses { get; init; }

    public Address Beneficiary { get; init; }

    public ulong SectorSize { get; init; }

    public ulong WindowPoStPartitionSectors { get; init; }

    public RegisteredPoStProof WindowPoStProofType { get; init; }

    public string? PeerId { get; init; }
}
