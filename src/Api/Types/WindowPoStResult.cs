using System.Text.Json.Serialization;

namespace Kiln.Api.Types;

/// <summary>
/// Lotus <c>storiface.WindowPoStResult</c>. When vanilla proofs could not be read the worker answers (without an
/// error) <c>{"PoStProofs":{"PoStProof":0,"ProofBytes":null},"Skipped":[...]}</c>; otherwise <c>Skipped</c> is null.
/// A kiln-worker adds <see cref="KilnTimings"/>; without it the JSON is exactly Lotus's.
/// </summary>
public sealed record WindowPoStResult(
    PoStProof PoStProofs,
    IReadOnlyList<SectorId>? Skipped,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] PoStTimings? KilnTimings = null);
