using Kiln.Proofs;

namespace Kiln.Api.Chain;

/// <summary>Lotus <c>api.MinerInfo</c> (StateMinerInfo): the fields sealing and proving read; the others are ignored.</summary>
public sealed record MinerInfo
{
    /// <summary>The owner address.</summary>
    public Address Owner { get; init; }

    /// <summary>The worker address: the sender of sealing and proving messages.</summary>
    public Address Worker { get; init; }

    /// <summary>Control addresses that may also send them.</summary>
    public IReadOnlyList<Address>? ControlAddresses { get; init; }

    /// <summary>The beneficiary of withdrawals.</summary>
    public Address Beneficiary { get; init; }

    /// <summary>The sector size in bytes.</summary>
    public ulong SectorSize { get; init; }

    /// <summary>Sectors per partition.</summary>
    public ulong WindowPoStPartitionSectors { get; init; }

    /// <summary>The window PoSt proof type.</summary>
    public RegisteredPoStProof WindowPoStProofType { get; init; }

    /// <summary>The miner's libp2p peer id, if set.</summary>
    public string? PeerId { get; init; }

    public bool Equals(MinerInfo? other) =>
        other is not null && Owner == other.Owner && Worker == other.Worker && Beneficiary == other.Beneficiary
        && (ControlAddresses ?? []).SequenceEqual(other.ControlAddresses ?? []) && SectorSize == other.SectorSize
        && WindowPoStPartitionSectors == other.WindowPoStPartitionSectors && WindowPoStProofType == other.WindowPoStProofType
        && PeerId == other.PeerId;

    public override int GetHashCode() => HashCode.Combine(Owner, Worker, SectorSize);
}
