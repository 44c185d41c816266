namespace Kiln.Testing.Chain;

/// <summary>A go-state-types <c>SectorActivationManifest</c> (SectorNumber, Pieces); pieces as (CID text, padded size).</summary>
public sealed record DecodedSectorActivation(ulong SectorNumber, IReadOnlyList<(string Cid, ulong Size)> Pieces);
