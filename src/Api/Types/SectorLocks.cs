namespace Kiln.Api.Types;

/// <summary>Lotus <c>storiface.SectorLocks</c>: the <c>StorageGetLocks</c> answer.</summary>
public sealed record SectorLocks(IReadOnlyList<SectorLock>? Locks);
