namespace Kiln.Api.Types;

/// <summary>Lotus <c>storiface.ReplicaUpdateOut</c>: the new CommR and CommD of a snap-deal update.</summary>
public readonly record struct ReplicaUpdateOut(Cid NewSealed, Cid NewUnsealed);
