using Kiln.Api.Types;

namespace Kiln.Miner.Chain;

/// <summary>Lotus's <c>api.Partition</c>: the sector sets of one partition of a deadline.</summary>
public sealed record Partition(BitField AllSectors, BitField FaultySectors, BitField RecoveringSectors, BitField LiveSectors, BitField ActiveSectors)
{
    /// <summary>
    /// What a Window PoSt of this partition proves, as Lotus's wdpost does: live sectors that are not faulty, plus the
    /// faulty ones declared recovering.
    /// </summary>
    public BitField ToProve => LiveSectors.Subtract(FaultySectors).Union(RecoveringSectors);
}
