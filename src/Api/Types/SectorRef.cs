using Kiln.Proofs;

namespace Kiln.Api.Types;

/// <summary>Lotus <c>storiface.SectorRef</c>: <c>{"ID":{"Miner":1000,"Number":9},"ProofType":8}</c>.</summary>
public readonly record struct SectorRef(SectorId ID, RegisteredSealProof ProofType);
