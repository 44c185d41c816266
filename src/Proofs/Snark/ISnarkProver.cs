namespace Kiln.Proofs.Snark;

/// <summary>
/// The SNARK steps of sealing and proving (filecoin-proofs/src/api/seal.rs <c>seal_commit_phase2</c>,
/// window_post.rs and winning_post.rs <c>generate_*_post_with_vanilla</c>): Groth16 proofs over vanilla proofs Kiln computes
/// itself, and their verification. Arguments follow filecoin-ffi's C ABI
/// (rust/src/proofs/api.rs): every 32-byte value
/// (prover id, commitments, ticket, seed, randomness) must be exactly 32 bytes, PoSt proof types are
/// <see cref="RegisteredPoStProof"/>s (passed to the C ABI as their int ids). Methods are synchronous and CPU/GPU bound (minutes for
/// a real C2): callers run them on a worker thread. Implementations are safe to call from several threads.
/// </summary>
/// <remarks>
/// Failures are <see cref="ProofsException"/>s with the prover's message; when vanilla proofs fail inside a PoSt
/// SNARK step the exception is a <see cref="PoStFaultySectorsException"/> naming the sectors. Arguments of the
/// wrong shape (a 31-byte comm_r, an unknown proof id, no vanilla proofs) are <see cref="ArgumentException"/>s.
/// </remarks>
public interface ISnarkProver
{
    /// <summary>A short name for logs and status output: "filcrypto", "insecure-test-proofs".</summary>
    string Name { get; }

    /// <summary>True when the proofs this prover makes are not valid on any network (devnets and tests only).</summary>
    bool IsInsecure { get; }

    /// <summary>
    /// C2: the Groth16 proofs of a sector (192 bytes per partition, concatenated) from the C1 output JSON
    /// (serde JSON of filecoin-proofs' <c>SealCommitPhase1Output</c>), passed verbatim.
    /// </summary>
    byte[] SealCommitPhase2(ReadOnlySpan<byte> c1OutputJson, ulong sectorId, ReadOnlySpan<byte> proverId);

    /// <summary>Checks a seal proof made by <see cref="SealCommitPhase2"/> against its public inputs.</summary>
    bool VerifySeal(
        RegisteredSealProof proofType,
        ReadOnlySpan<byte> commR,
        ReadOnlySpan<byte> commD,
        ReadOnlySpan<byte> proverId,
        ReadOnlySpan<byte> ticket,
        ReadOnlySpan<byte> seed,
        ulong sectorId,
        ReadOnlySpan<byte> proof);

    /// <summary>Winning PoSt SNARK from exactly one vanilla proof (bincode <c>FallbackPoStSectorProof</c> bytes): one 192-byte proof.</summary>
    PoStProofBytes[] GenerateWinningPoStWithVanilla(
        RegisteredPoStProof postType,
        ReadOnlySpan<byte> randomness,
        ReadOnlySpan<byte> proverId,
        IReadOnlyList<byte[]> vanillaProofs);

    /// <summary>
    /// Window PoSt SNARK over every partition at once: the vanilla proofs in sector order, split into partitions of
    /// <see cref="PoSt.PoStProofInfo.SectorsPerPartition"/>.
    /// </summary>
    WindowPoStSnarkResult GenerateWindowPoStWithVanilla(
        RegisteredPoStProof postType,
        ReadOnlySpan<byte> randomness,
        ReadOnlySpan<byte> proverId,
        IReadOnlyList<byte[]> vanillaProofs);

    /// <summary>Window PoSt SNARK of one partition, from the vanilla proofs of that partition's sectors only.</summary>
    PartitionProofResult GenerateSingleWindowPoStWithVanilla(
        RegisteredPoStProof postType,
        ReadOnlySpan<byte> randomness,
        ReadOnlySpan<byte> proverId,
        IReadOnlyList<byte[]> vanillaProofs,
        int partitionIndex);

    /// <summary>Concatenates partition proofs (in partition order) into the Window PoSt proof Lotus submits.</summary>
    PoStProofBytes MergeWindowPoStPartitionProofs(RegisteredPoStProof postType, IReadOnlyList<byte[]> partitionProofs);

    /// <summary>Checks a Winning PoSt against the challenged sector(s).</summary>
    bool VerifyWinningPoSt(
        ReadOnlySpan<byte> randomness,
        IReadOnlyList<PublicReplica> replicas,
        IReadOnlyList<PoStProofBytes> proofs,
        ReadOnlySpan<byte> proverId);

    /// <summary>Checks a Window PoSt against the proven sectors (taken in sector-number order, as rust does).</summary>
    bool VerifyWindowPoSt(
        ReadOnlySpan<byte> randomness,
        IReadOnlyList<PublicReplica> replicas,
        IReadOnlyList<PoStProofBytes> proofs,
        ReadOnlySpan<byte> proverId);

    /// <summary>How many partitions a fallback PoSt of <paramref name="numSectors"/> sectors has.</summary>
    int GetNumPartitionForFallbackPoSt(RegisteredPoStProof postType, int numSectors);
}
