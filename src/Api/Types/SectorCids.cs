namespace Kiln.Api.Types;

/// <summary>Lotus <c>storiface.SectorCids</c>: PreCommit2's result, <c>Unsealed</c> = CommD, <c>Sealed</c> = CommR.</summary>
public readonly record struct SectorCids(Cid Unsealed, Cid Sealed);
