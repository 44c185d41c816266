namespace Kiln.Proofs.Snark;

/// <summary>
/// One filecoin-ffi entry point and the destroy function that frees the <c>Result_*_t</c> it returns (filecoin-ffi
/// rust/src/proofs/api.rs: each <c>#[ffi_export]</c> function and its <c>destructor!</c> <c>destroy_*_response</c>). Both are resolved before the call, so a library lacking the destroy function fails before any work.
/// </summary>
internal sealed record FilCryptoFunction(string Name, string Destroy)
{
    public static readonly FilCryptoFunction SealCommitPhase2 = new("seal_commit_phase2", "destroy_seal_commit_phase2_response");
    public static readonly FilCryptoFunction VerifySeal = new("verify_seal", "destroy_verify_seal_response");
    public static readonly FilCryptoFunction GenerateSingleVanillaProof = new("generate_single_vanilla_proof", "destroy_generate_single_vanilla_proof_response");
    public static readonly FilCryptoFunction GenerateWinningPoStWithVanilla = new("generate_winning_post_with_vanilla", "destroy_generate_winning_post_response");
    public static readonly FilCryptoFunction GenerateWindowPoStWithVanilla = new("generate_window_post_with_vanilla", "destroy_generate_window_post_response");
    public static readonly FilCryptoFunction GenerateSingleWindowPoStWithVanilla = new("generate_single_window_post_with_vanilla", "destroy_generate_single_window_post_with_vanilla_response");
    public static readonly FilCryptoFunction MergeWindowPoStPartitionProofs = new("merge_window_post_partition_proofs", "destroy_merge_window_post_partition_proofs_response");
    public static readonly FilCryptoFunction VerifyWinningPoSt = new("verify_winning_post", "destroy_verify_winning_post_response");
    public static readonly FilCryptoFunction VerifyWindowPoSt = new("verify_window_post", "destroy_verify_window_post_response");
    public static readonly FilCryptoFunction GetNumPartitionForFallbackPoSt = new("get_num_partition_for_fallback_post", "destroy_get_num_partition_for_fallback_post_response");

    /// <summary><c>alloc_boxed_slice(size_t) -> slice_boxed_uint8_t</c> and <c>destroy_boxed_slice(slice_boxed_uint8_t)</c>.</summary>
    public static readonly FilCryptoFunction AllocBoxedSlice = new("alloc_boxed_slice", "destroy_boxed_slice");
}
