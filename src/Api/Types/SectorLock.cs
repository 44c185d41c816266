namespace Kiln.Api.Types;

/// <summary>
/// Lotus <c>storiface.SectorLock</c>: read and write lock counts of one sector, indexed by file-type bit
/// (Go's <c>[6]uint</c> arrays: unsealed, sealed, cache, update, update-cache, piece).
/// </summary>
public sealed record SectorLock(SectorId Sector, IReadOnlyList<uint> Write, IReadOnlyList<uint> Read);
