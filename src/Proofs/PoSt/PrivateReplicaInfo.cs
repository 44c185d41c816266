namespace Kiln.Proofs.PoSt;

/// <summary>
/// filecoin-ffi's <c>PrivateReplicaInfo</c>: what a prover needs to answer PoSt challenges for one
/// sealed sector — the PoSt proof type, the cache directory (p_aux, tree-r-last files), comm_r, the
/// sealed replica and the sector number.
/// </summary>
public sealed record PrivateReplicaInfo(RegisteredPoStProof Proof, string CacheDir, ReadOnlyMemory<byte> CommR, string ReplicaPath, ulong SectorId);
