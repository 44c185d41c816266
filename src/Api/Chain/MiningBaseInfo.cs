using System.Numerics;
using System.Text.Json.Serialization;
using Kiln.Api.Chain.Json;

namespace Kiln.Api.Chain;

/// <summary>
/// Lotus <c>api.MiningBaseInfo</c> (MinerGetBaseInfo): the miner's and the network's power at the lookback, the
/// sectors a Winning PoSt may challenge, the worker key that signs the VRFs, and the beacon entries of the round.
/// </summary>
public sealed record MiningBaseInfo
{
    /// <summary>The miner's quality-adjusted power at the lookback.</summary>
    [JsonConverter(typeof(BigIntegerJsonConverter))]
    public BigInteger MinerPower { get; init; }

    /// <summary>The network's quality-adjusted power at the lookback.</summary>
    [JsonConverter(typeof(BigIntegerJsonConverter))]
    public BigInteger NetworkPower { get; init; }

    /// <summary>The sectors the Winning PoSt challenges one of.</summary>
    public IReadOnlyList<ExtendedSectorInfo>? Sectors { get; init; }

    /// <summary>The worker's key address (BLS): the signer of ticket and election VRFs.</summary>
    public Address WorkerKey { get; init; }

    /// <summary>The sector size in bytes.</summary>
    public ulong SectorSize { get; init; }

    /// <summary>The last beacon entry of the parent tipset.</summary>
    public BeaconEntry? PrevBeaconEntry { get; init; }

    /// <summary>The beacon entries the new block carries (possibly none).</summary>
    public IReadOnlyList<BeaconEntry>? BeaconEntries { get; init; }

    /// <summary>Whether the miner may mine at all (enough power, not slashed).</summary>
    public bool EligibleForMining { get; init; }

    /// <summary>Lotus mineOne's <c>rbase</c>: the last of <see cref="BeaconEntries"/>, or <see cref="PrevBeaconEntry"/> when there are none.</summary>
    [JsonIgnore]
    public BeaconEntry? RandomnessBase => BeaconEntries is { Count: > 0 } entries ? entries[^1] : PrevBeaconEntry;
}
