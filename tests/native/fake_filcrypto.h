// A stand-in for filecoin-ffi's filcrypto.h (spec commitments-and-post.md §14): the types and functions Kiln's
// FilCryptoProver calls, with the x86-64 layout the C# side mirrors. Used only by the tests (fake_filcrypto.c).
#ifndef FAKE_FILCRYPTO_H
#define FAKE_FILCRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int32_t RegisteredSealProof_t;
typedef int32_t RegisteredPoStProof_t;

enum { FCPNoError = 0, FCPUnclassifiedError = 1, FCPCallerError = 2, FCPReceiverError = 3 };

typedef struct { const uint8_t *ptr; size_t len; } slice_ref_uint8_t;
typedef struct { const uint64_t *ptr; size_t len; } slice_ref_uint64_t;
typedef struct { uint8_t *ptr; size_t len; } slice_boxed_uint8_t;
typedef struct { uint64_t *ptr; size_t len; } slice_boxed_uint64_t;
typedef struct { const slice_boxed_uint8_t *ptr; size_t len; } slice_ref_slice_boxed_uint8_t;
typedef struct { uint8_t idx[32]; } uint8_32_array_t;

typedef struct { RegisteredPoStProof_t registered_proof; slice_boxed_uint8_t proof; } PoStProof_t;
typedef PoStProof_t PartitionSnarkProof_t;
typedef struct { PoStProof_t *ptr; size_t len; } slice_boxed_PoStProof_t;
typedef struct { const PoStProof_t *ptr; size_t len; } slice_ref_PoStProof_t;

typedef struct {
    RegisteredPoStProof_t registered_proof;
    uint8_32_array_t comm_r;
    uint64_t sector_id;
} PublicReplicaInfo_t;
typedef struct { const PublicReplicaInfo_t *ptr; size_t len; } slice_ref_PublicReplicaInfo_t;

typedef struct {
    RegisteredPoStProof_t registered_proof;
    slice_boxed_uint8_t cache_dir_path;
    uint8_32_array_t comm_r;
    slice_boxed_uint8_t replica_path;
    uint64_t sector_id;
} PrivateReplicaInfo_t;

typedef struct { slice_boxed_PoStProof_t proofs; slice_boxed_uint64_t faulty_sectors; } GenerateWindowPoSt_t;
typedef struct { PartitionSnarkProof_t partition_proof; slice_boxed_uint64_t faulty_sectors; } GenerateSingleWindowPoStWithVanilla_t;

#define FAKE_RESULT(T) struct { int32_t status_code; slice_boxed_uint8_t error_msg; T value; }
typedef FAKE_RESULT(slice_boxed_uint8_t) Result_slice_boxed_uint8_t;
typedef FAKE_RESULT(bool) Result_bool_t;
typedef FAKE_RESULT(size_t) Result_size_t;
typedef FAKE_RESULT(PoStProof_t) Result_PoStProof_t;
typedef FAKE_RESULT(slice_boxed_PoStProof_t) Result_slice_boxed_PoStProof_t;
typedef FAKE_RESULT(GenerateWindowPoSt_t) Result_GenerateWindowPoSt_t;
typedef FAKE_RESULT(GenerateSingleWindowPoStWithVanilla_t) Result_GenerateSingleWindowPoStWithVanilla_t;

// The numbers SnarkAbiLayoutTests checks on the C# side.
_Static_assert(sizeof(slice_ref_uint8_t) == 16, "slice is 16 bytes");
_Static_assert(offsetof(Result_bool_t, error_msg) == 8, "error_msg at 8");
_Static_assert(offsetof(Result_bool_t, value) == 24, "value at 24");
_Static_assert(offsetof(Result_GenerateWindowPoSt_t, value) == 24, "value at 24");
_Static_assert(sizeof(PoStProof_t) == 24 && offsetof(PoStProof_t, proof) == 8, "PoStProof_t");
_Static_assert(sizeof(PublicReplicaInfo_t) == 48 && offsetof(PublicReplicaInfo_t, comm_r) == 4 && offsetof(PublicReplicaInfo_t, sector_id) == 40, "PublicReplicaInfo_t");
_Static_assert(sizeof(PrivateReplicaInfo_t) == 80 && offsetof(PrivateReplicaInfo_t, comm_r) == 24 && offsetof(PrivateReplicaInfo_t, replica_path) == 56 && offsetof(PrivateReplicaInfo_t, sector_id) == 72, "PrivateReplicaInfo_t");
_Static_assert(sizeof(GenerateSingleWindowPoStWithVanilla_t) == 40, "GenerateSingleWindowPoStWithVanilla_t");

slice_boxed_uint8_t alloc_boxed_slice(size_t size);
void destroy_boxed_slice(slice_boxed_uint8_t slice);

Result_slice_boxed_uint8_t *seal_commit_phase2(slice_ref_uint8_t c1_output, uint64_t sector_id, const uint8_32_array_t *prover_id);
void destroy_seal_commit_phase2_response(Result_slice_boxed_uint8_t *ptr);
Result_bool_t *verify_seal(RegisteredSealProof_t registered_proof, const uint8_32_array_t *comm_r, const uint8_32_array_t *comm_d,
                           const uint8_32_array_t *prover_id, const uint8_32_array_t *ticket, const uint8_32_array_t *seed,
                           uint64_t sector_id, slice_ref_uint8_t proof);
void destroy_verify_seal_response(Result_bool_t *ptr);
Result_slice_boxed_uint8_t *generate_single_vanilla_proof(PrivateReplicaInfo_t replica, slice_ref_uint64_t challenges);
void destroy_generate_single_vanilla_proof_response(Result_slice_boxed_uint8_t *ptr);
Result_slice_boxed_PoStProof_t *generate_winning_post_with_vanilla(RegisteredPoStProof_t registered_proof, const uint8_32_array_t *randomness,
                                                                   const uint8_32_array_t *prover_id, slice_ref_slice_boxed_uint8_t vanilla_proofs);
void destroy_generate_winning_post_response(Result_slice_boxed_PoStProof_t *ptr);
Result_GenerateWindowPoSt_t *generate_window_post_with_vanilla(RegisteredPoStProof_t registered_proof, const uint8_32_array_t *randomness,
                                                               const uint8_32_array_t *prover_id, slice_ref_slice_boxed_uint8_t vanilla_proofs);
void destroy_generate_window_post_response(Result_GenerateWindowPoSt_t *ptr);
Result_GenerateSingleWindowPoStWithVanilla_t *generate_single_window_post_with_vanilla(
    RegisteredPoStProof_t registered_proof, const uint8_32_array_t *randomness, const uint8_32_array_t *prover_id,
    slice_ref_slice_boxed_uint8_t vanilla_proofs, size_t partition_index);
void destroy_generate_single_window_post_with_vanilla_response(Result_GenerateSingleWindowPoStWithVanilla_t *ptr);
Result_PoStProof_t *merge_window_post_partition_proofs(RegisteredPoStProof_t registered_proof, slice_ref_slice_boxed_uint8_t partition_proofs);
void destroy_merge_window_post_partition_proofs_response(Result_PoStProof_t *ptr);
Result_bool_t *verify_winning_post(const uint8_32_array_t *randomness, slice_ref_PublicReplicaInfo_t replicas, slice_ref_PoStProof_t proofs,
                                   const uint8_32_array_t *prover_id);
void destroy_verify_winning_post_response(Result_bool_t *ptr);
Result_bool_t *verify_window_post(const uint8_32_array_t *randomness, slice_ref_PublicReplicaInfo_t replicas, slice_ref_PoStProof_t proofs,
                                  const uint8_32_array_t *prover_id);
void destroy_verify_window_post_response(Result_bool_t *ptr);
Result_size_t *get_num_partition_for_fallback_post(RegisteredPoStProof_t registered_proof, size_t num_sectors);
void destroy_get_num_partition_for_fallback_post_response(Result_size_t *ptr);

// Test hooks, not part of filcrypto.
size_t fake_live_allocations(void);
size_t fake_results_created(void);
size_t fake_results_destroyed(void);
size_t fake_misuses(void);
const char *fake_last_misuse(void);

#endif
