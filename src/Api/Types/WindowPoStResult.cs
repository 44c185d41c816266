namespace Kiln.Api.Types;

/// <summary>
/// Lotus <c>storiface.WindowPoStResult</c>. When vanilla proofs could not be read the worker answers (without an
/// error) <c>{"PoStProofs":{"PoStProof":0,"ProofBytes":null},"Skipped":[...]}</c>; otherwise <c>Skipped</c> is null.
/// </summary>
public sealed record WindowPoStResult(PoStProof PoStProofs, IReadOnlyList<SectorId>? Skipped);
