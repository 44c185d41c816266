namespace Kiln.Miner.Sealing;

/// <summary>The sectors database has no sector with this number.</summary>
public sealed class SectorNotFoundException(ulong number)
    : Exception($"sector {number} not found")
{
    /// <summary>The sector number asked for.</summary>
    public ulong Number { get; } = number;
}
