namespace Kiln.Testing.Chain;

/// <summary>One go-state-types proof.<c>PoStProof</c>: (PoStProof, ProofBytes).</summary>
public sealed record DecodedPoStProof(long ProofType, byte[] ProofBytes);
