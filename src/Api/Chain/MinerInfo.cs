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

    public bool Equals(MinerInfo? other) =>
        other is not null && Owner == other.Owner && Worker == other.Worker && Beneficiary == other.Beneficiary
        && (ControlAddresses ?? []).SequenceEqual(other.ControlAddresses ?? []) && SectorSize == other.SectorSize
        && WindowPoStPartitionSectors == other.WindowPoStPartitionSectors && WindowPoStProofType == other.WindowPoStProofType
        && PeerId == other.PeerId;

    public override int GetHashCode() => HashCode.Combine(Owner, Worker, SectorSize);
}
