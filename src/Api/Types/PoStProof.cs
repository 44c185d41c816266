using System.Text.Json.Serialization;
using Kiln.Proofs;

namespace Kiln.Api.Types;

/// <summary>
/// go-state-types <c>proof.PoStProof</c>: <c>{"PoStProof":8,"ProofBytes":"&lt;base64&gt;"}</c>. The C# property
/// <see cref="ProofType"/> carries the Go field <c>PoStProof</c> (a member cannot share its type's name).
/// </summary>
public sealed record PoStProof(
    [property: JsonPropertyName("PoStProof")] RegisteredPoStProof ProofType,
    byte[]? ProofBytes);
