// A fake libfilcrypto for FilCryptoProver's tests: the filecoin-ffi C ABI (fake_filcrypto.h) with deterministic,
// recognizable behaviour instead of SNARKs, and bookkeeping of every allocation it hands out or is handed, so the
// tests can prove that arguments arrive intact, results are copied out, and every Result and boxed slice is freed
// exactly once by the right function. The tests build it with: cc -shared -fPIC -O1 -o libfake_filcrypto.so fake_filcrypto.c
//
// Behaviour (the C# tests rebuild these bytes; integers little-endian):
// * seal_commit_phase2 -> 192 bytes: sector u64 | prover_id[32] | fnv1a64(c1) u64 | c1 length u64 | first 136 bytes of c1, zero padded.
// * verify_seal -> true iff proof == seal type u32 | comm_r | comm_d | prover_id | ticket | seed | sector u64.
// * generate_single_vanilla_proof -> sector u64 | comm_r | type u32 | cache path (u32 length, bytes) | replica path
//   (u32 length, bytes) | challenge count u32 | challenges u64. It takes over (frees) both paths, as rust does.
// * generate_{winning,window,single_window}_post_with_vanilla -> one proof of type `registered_proof` holding
//   tag ('N', 'W' or 'S') | type u32 | randomness | prover_id | [partition u64, 'S' only] | count u32 | (length u32 | bytes) per vanilla proof.
//   A vanilla proof starting with 0xFA is faulty: the window generators answer FCPReceiverError with faulty_sectors
//   = the u64 at the start of each such proof (input order), winning answers FCPUnclassifiedError. One starting with
//   0xEE is unreadable: FCPUnclassifiedError without faulty sectors.
// * merge_window_post_partition_proofs -> the partition proofs concatenated, with the type given.
// * verify_{winning,window}_post -> true iff every proof has the first replica's type and the proofs concatenated equal
//   tag ('N' or 'W') | randomness | prover_id | (type u32 | comm_r | sector u64) per replica.
// * get_num_partition_for_fallback_post -> type * 1000000 + num_sectors.
// * Sector number 666 (or 666 sectors) fails with FCPReceiverError "... is cursed".
// Boxed slices the caller passes in (vanilla proofs, proofs, paths) must come from alloc_boxed_slice, and slice_ref
// pointers must not be NULL; violations fail the call with FCPCallerError and count as misuses.
#include "fake_filcrypto.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define API __attribute__((visibility("default")))
#define CURSED 666

enum { TAG_CALLER_SLICE = 1, TAG_INNER = 2, TAG_RESULT = 100 };
enum {
    FN_C2 = 1, FN_VERIFY_SEAL, FN_VANILLA, FN_WINNING, FN_WINDOW, FN_SINGLE_WINDOW, FN_MERGE, FN_VERIFY_WINNING,
    FN_VERIFY_WINDOW, FN_PARTITIONS,
};

typedef struct { void *ptr; size_t size; int tag; } entry_t;

static atomic_flag lock = ATOMIC_FLAG_INIT;
static entry_t *entries;
static size_t entry_count, entry_cap;
static size_t results_created, results_destroyed, misuses;
static char last_misuse[256];

static void acquire(void) { while (atomic_flag_test_and_set_explicit(&lock, memory_order_acquire)) { } }
static void release(void) { atomic_flag_clear_explicit(&lock, memory_order_release); }

static void misuse(const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    acquire();
    misuses++;
    vsnprintf(last_misuse, sizeof last_misuse, fmt, args);
    release();
    va_end(args);
}

// Allocates `size` zeroed bytes (at least one, so the pointer is never NULL) and records them under `tag`.
static void *tracked_alloc(size_t size, int tag) {
    void *p = calloc(size ? size : 1, 1);
    if (!p) abort();
    acquire();
    if (entry_count == entry_cap) {
        entry_cap = entry_cap ? entry_cap * 2 : 64;
        entries = realloc(entries, entry_cap * sizeof *entries);
        if (!entries) abort();
    }
    entries[entry_count++] = (entry_t){p, size, tag};
    if (tag >= TAG_RESULT) results_created++;
    release();
    return p;
}

// Index of `p` when it is live with `tag` (and `size`, unless size is (size_t)-1); -1 otherwise.
static long find(const void *p, int tag, size_t size) {
    long found = -1;
    acquire();
    for (size_t i = 0; i < entry_count; i++) {
        if (entries[i].ptr == p && entries[i].tag == tag && (size == (size_t)-1 || entries[i].size == size)) {
            found = (long)i;
            break;
        }
    }
    release();
    return found;
}

static void tracked_free(void *p, int tag, const char *who) {
    if (!p) return;
    acquire();
    for (size_t i = 0; i < entry_count; i++) {
        if (entries[i].ptr == p) {
            int actual = entries[i].tag;
            entries[i] = entries[--entry_count];
            if (actual >= TAG_RESULT) results_destroyed++;
            release();
            if (actual != tag) misuse("%s freed an allocation of tag %d as tag %d", who, actual, tag);
            free(p);
            return;
        }
    }
    release();
    misuse("%s freed %p, which is not live (double free or foreign pointer)", who, p);
}

static slice_boxed_uint8_t boxed_copy(const void *bytes, size_t len) {
    slice_boxed_uint8_t s = {tracked_alloc(len, TAG_INNER), len};
    if (len) memcpy(s.ptr, bytes, len);
    return s;
}

// A growable scratch buffer (untracked) for building values.
typedef struct { uint8_t *p; size_t len, cap; } buf_t;

static void put(buf_t *b, const void *bytes, size_t len) {
    if (b->len + len > b->cap) {
        b->cap = (b->len + len) * 2 + 64;
        b->p = realloc(b->p, b->cap);
        if (!b->p) abort();
    }
    if (len) memcpy(b->p + b->len, bytes, len);
    b->len += len;
}
static void put_u32(buf_t *b, uint32_t v) { put(b, &v, 4); }
static void put_u64(buf_t *b, uint64_t v) { put(b, &v, 8); }
static void put_u8(buf_t *b, uint8_t v) { put(b, &v, 1); }
static slice_boxed_uint8_t take(buf_t *b) {
    slice_boxed_uint8_t s = boxed_copy(b->p, b->len);
    free(b->p);
    *b = (buf_t){0};
    return s;
}

#define NEW_RESULT(type, fn) ((type *)tracked_alloc(sizeof(type), TAG_RESULT + (fn)))

static slice_boxed_uint8_t message(const char *fmt, ...) {
    char text[256];
    va_list args;
    va_start(args, fmt);
    int n = vsnprintf(text, sizeof text, fmt, args);
    va_end(args);
    return boxed_copy(text, n < 0 ? 0 : (size_t)n);
}

#define FAIL(result, status, ...) \
    do { (result)->status_code = (status); (result)->error_msg = message(__VA_ARGS__); return (result); } while (0)

// Checks a borrowed list of caller-owned boxed slices; returns a message on violation, NULL when fine.
static const char *check_boxed_list(slice_ref_slice_boxed_uint8_t list) {
    static _Thread_local char why[128];
    if (!list.ptr) {
        misuse("NULL slice_ref pointer");
        return "NULL slice_ref pointer";
    }
    for (size_t i = 0; i < list.len; i++) {
        if (find(list.ptr[i].ptr, TAG_CALLER_SLICE, list.ptr[i].len) < 0) {
            snprintf(why, sizeof why, "boxed slice %zu was not made by alloc_boxed_slice", i);
            misuse("%s", why);
            return why;
        }
    }
    return NULL;
}

static uint64_t u64_at(const uint8_t *p, size_t len) {
    uint64_t v = 0;
    memcpy(&v, p, len < 8 ? len : 8);
    return v;
}

API slice_boxed_uint8_t alloc_boxed_slice(size_t size) {
    return (slice_boxed_uint8_t){tracked_alloc(size, TAG_CALLER_SLICE), size};
}

API void destroy_boxed_slice(slice_boxed_uint8_t slice) {
    if (find(slice.ptr, TAG_CALLER_SLICE, slice.len) < 0) {
        misuse("destroy_boxed_slice of a slice alloc_boxed_slice did not make (or of the wrong length)");
        return;
    }
    tracked_free(slice.ptr, TAG_CALLER_SLICE, "destroy_boxed_slice");
}

static void destroy_result(void *result, int fn, slice_boxed_uint8_t error_msg, const char *who) {
    if (!result) return;
    if (find(result, TAG_RESULT + fn, (size_t)-1) < 0) {
        misuse("%s was given a result it did not make", who);
        return;
    }
    tracked_free(error_msg.ptr, TAG_INNER, who);
    tracked_free(result, TAG_RESULT + fn, who);
}

static uint64_t fnv1a64(const uint8_t *p, size_t len) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++) h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

API Result_slice_boxed_uint8_t *seal_commit_phase2(slice_ref_uint8_t c1_output, uint64_t sector_id, const uint8_32_array_t *prover_id) {
    Result_slice_boxed_uint8_t *r = NEW_RESULT(Result_slice_boxed_uint8_t, FN_C2);
    if (!c1_output.ptr) FAIL(r, FCPCallerError, "fake seal_commit_phase2: NULL slice_ref pointer");
    if (sector_id == CURSED) FAIL(r, FCPReceiverError, "fake seal_commit_phase2: sector %d is cursed", CURSED);
    uint8_t head[136] = {0};
    memcpy(head, c1_output.ptr, c1_output.len < sizeof head ? c1_output.len : sizeof head);
    buf_t b = {0};
    put_u64(&b, sector_id);
    put(&b, prover_id->idx, 32);
    put_u64(&b, fnv1a64(c1_output.ptr, c1_output.len));
    put_u64(&b, c1_output.len);
    put(&b, head, sizeof head);
    r->value = take(&b);
    return r;
}

API void destroy_seal_commit_phase2_response(Result_slice_boxed_uint8_t *r) {
    if (r && find(r, TAG_RESULT + FN_C2, (size_t)-1) >= 0) tracked_free(r->value.ptr, TAG_INNER, "destroy_seal_commit_phase2_response");
    destroy_result(r, FN_C2, r ? r->error_msg : (slice_boxed_uint8_t){0}, "destroy_seal_commit_phase2_response");
}

#ifndef FAKE_OMIT_DESTROY_VERIFY_SEAL
API void destroy_verify_seal_response(Result_bool_t *r) {
    destroy_result(r, FN_VERIFY_SEAL, r ? r->error_msg : (slice_boxed_uint8_t){0}, "destroy_verify_seal_response");
}
#endif

API Result_bool_t *verify_seal(RegisteredSealProof_t registered_proof, const uint8_32_array_t *comm_r, const uint8_32_array_t *comm_d,
                               const uint8_32_array_t *prover_id, const uint8_32_array_t *ticket, const uint8_32_array_t *seed,
                               uint64_t sector_id, slice_ref_uint8_t proof) {
    Result_bool_t *r = NEW_RESULT(Result_bool_t, FN_VERIFY_SEAL);
    if (!proof.ptr) FAIL(r, FCPCallerError, "fake verify_seal: NULL slice_ref pointer");
    if (sector_id == CURSED) FAIL(r, FCPReceiverError, "fake verify_seal: sector %d is cursed", CURSED);
    buf_t b = {0};
    put_u32(&b, (uint32_t)registered_proof);
    put(&b, comm_r->idx, 32);
    put(&b, comm_d->idx, 32);
    put(&b, prover_id->idx, 32);
    put(&b, ticket->idx, 32);
    put(&b, seed->idx, 32);
    put_u64(&b, sector_id);
    r->value = b.len == proof.len && memcmp(b.p, proof.ptr, b.len) == 0;
    free(b.p);
    return r;
}

API Result_slice_boxed_uint8_t *generate_single_vanilla_proof(PrivateReplicaInfo_t replica, slice_ref_uint64_t challenges) {
    Result_slice_boxed_uint8_t *r = NEW_RESULT(Result_slice_boxed_uint8_t, FN_VANILLA);
    // Rust owns the PrivateReplicaInfo_t it was given by value: the paths are freed whatever happens next.
    int cache_ok = find(replica.cache_dir_path.ptr, TAG_CALLER_SLICE, replica.cache_dir_path.len) >= 0;
    int replica_ok = find(replica.replica_path.ptr, TAG_CALLER_SLICE, replica.replica_path.len) >= 0;
    buf_t b = {0};
    put_u64(&b, replica.sector_id);
    put(&b, replica.comm_r.idx, 32);
    put_u32(&b, (uint32_t)replica.registered_proof);
    put_u32(&b, (uint32_t)replica.cache_dir_path.len);
    put(&b, replica.cache_dir_path.ptr, replica.cache_dir_path.len);
    put_u32(&b, (uint32_t)replica.replica_path.len);
    put(&b, replica.replica_path.ptr, replica.replica_path.len);
    if (cache_ok) tracked_free(replica.cache_dir_path.ptr, TAG_CALLER_SLICE, "generate_single_vanilla_proof");
    if (replica_ok) tracked_free(replica.replica_path.ptr, TAG_CALLER_SLICE, "generate_single_vanilla_proof");
    if (!cache_ok || !replica_ok) {
        free(b.p);
        misuse("generate_single_vanilla_proof: a path was not made by alloc_boxed_slice");
        FAIL(r, FCPCallerError, "fake generate_single_vanilla_proof: a path was not made by alloc_boxed_slice");
    }
    if (!challenges.ptr) {
        free(b.p);
        FAIL(r, FCPCallerError, "fake generate_single_vanilla_proof: NULL slice_ref pointer");
    }
    if (replica.sector_id == CURSED) {
        free(b.p);
        FAIL(r, FCPReceiverError, "fake generate_single_vanilla_proof: sector %d is cursed", CURSED);
    }
    put_u32(&b, (uint32_t)challenges.len);
    put(&b, challenges.ptr, challenges.len * 8);
    r->value = take(&b);
    return r;
}

API void destroy_generate_single_vanilla_proof_response(Result_slice_boxed_uint8_t *r) {
    if (r && find(r, TAG_RESULT + FN_VANILLA, (size_t)-1) >= 0) tracked_free(r->value.ptr, TAG_INNER, "destroy_generate_single_vanilla_proof_response");
    destroy_result(r, FN_VANILLA, r ? r->error_msg : (slice_boxed_uint8_t){0}, "destroy_generate_single_vanilla_proof_response");
}

// The echo of a PoSt generator's inputs (see the top of the file).
static slice_boxed_uint8_t post_echo(char tag, RegisteredPoStProof_t type, const uint8_32_array_t *randomness, const uint8_32_array_t *prover_id,
                                     const size_t *partition, slice_ref_slice_boxed_uint8_t vanilla) {
    buf_t b = {0};
    put_u8(&b, (uint8_t)tag);
    put_u32(&b, (uint32_t)type);
    put(&b, randomness->idx, 32);
    put(&b, prover_id->idx, 32);
    if (partition) put_u64(&b, *partition);
    put_u32(&b, (uint32_t)vanilla.len);
    for (size_t i = 0; i < vanilla.len; i++) {
        put_u32(&b, (uint32_t)vanilla.ptr[i].len);
        put(&b, vanilla.ptr[i].ptr, vanilla.ptr[i].len);
    }
    return take(&b);
}

// Vanilla proofs starting with `magic`: their count, and (when `faulty` is given) their sector numbers.
static size_t starting_with(slice_ref_slice_boxed_uint8_t vanilla, uint8_t magic, slice_boxed_uint64_t *faulty) {
    size_t n = 0;
    for (size_t i = 0; i < vanilla.len; i++) n += vanilla.ptr[i].len > 0 && vanilla.ptr[i].ptr[0] == magic;
    if (faulty && n) {
        faulty->ptr = tracked_alloc(n * 8, TAG_INNER);
        faulty->len = n;
        for (size_t i = 0, j = 0; i < vanilla.len; i++) {
            if (vanilla.ptr[i].len > 0 && vanilla.ptr[i].ptr[0] == magic) faulty->ptr[j++] = u64_at(vanilla.ptr[i].ptr, vanilla.ptr[i].len);
        }
    }
    return n;
}

static void free_proof(PoStProof_t *p, const char *who) { tracked_free(p->proof.ptr, TAG_INNER, who); }

static void free_proofs(slice_boxed_PoStProof_t *proofs, const char *who) {
    for (size_t i = 0; i < proofs->len; i++) free_proof(&proofs->ptr[i], who);
    tracked_free(proofs->ptr, TAG_INNER, who);
}

static slice_boxed_PoStProof_t one_proof(RegisteredPoStProof_t type, slice_boxed_uint8_t bytes) {
    slice_boxed_PoStProof_t proofs = {tracked_alloc(sizeof(PoStProof_t), TAG_INNER), 1};
    proofs.ptr[0] = (PoStProof_t){type, bytes};
    return proofs;
}

API Result_slice_boxed_PoStProof_t *generate_winning_post_with_vanilla(RegisteredPoStProof_t registered_proof, const uint8_32_array_t *randomness,
                                                                       const uint8_32_array_t *prover_id, slice_ref_slice_boxed_uint8_t vanilla_proofs) {
    Result_slice_boxed_PoStProof_t *r = NEW_RESULT(Result_slice_boxed_PoStProof_t, FN_WINNING);
    const char *why = check_boxed_list(vanilla_proofs);
    if (why) FAIL(r, FCPCallerError, "fake generate_winning_post_with_vanilla: %s", why);
    if (starting_with(vanilla_proofs, 0xFA, NULL) || starting_with(vanilla_proofs, 0xEE, NULL))
        FAIL(r, FCPUnclassifiedError, "fake generate_winning_post_with_vanilla: vanilla proof rejected");
    r->value = one_proof(registered_proof, post_echo('N', registered_proof, randomness, prover_id, NULL, vanilla_proofs));
    return r;
}

API void destroy_generate_winning_post_response(Result_slice_boxed_PoStProof_t *r) {
    const char *who = "destroy_generate_winning_post_response";
    if (r && find(r, TAG_RESULT + FN_WINNING, (size_t)-1) >= 0) free_proofs(&r->value, who);
    destroy_result(r, FN_WINNING, r ? r->error_msg : (slice_boxed_uint8_t){0}, who);
}

API Result_GenerateWindowPoSt_t *generate_window_post_with_vanilla(RegisteredPoStProof_t registered_proof, const uint8_32_array_t *randomness,
                                                                   const uint8_32_array_t *prover_id, slice_ref_slice_boxed_uint8_t vanilla_proofs) {
    Result_GenerateWindowPoSt_t *r = NEW_RESULT(Result_GenerateWindowPoSt_t, FN_WINDOW);
    const char *why = check_boxed_list(vanilla_proofs);
    if (why) FAIL(r, FCPCallerError, "fake generate_window_post_with_vanilla: %s", why);
    size_t faulty = starting_with(vanilla_proofs, 0xFA, &r->value.faulty_sectors);
    if (faulty) FAIL(r, FCPReceiverError, "fake generate_window_post_with_vanilla: %zu faulty sectors", faulty);
    if (starting_with(vanilla_proofs, 0xEE, NULL)) FAIL(r, FCPUnclassifiedError, "fake generate_window_post_with_vanilla: unreadable vanilla proof");
    r->value.proofs = one_proof(registered_proof, post_echo('W', registered_proof, randomness, prover_id, NULL, vanilla_proofs));
    return r;
}

API void destroy_generate_window_post_response(Result_GenerateWindowPoSt_t *r) {
    const char *who = "destroy_generate_window_post_response";
    if (r && find(r, TAG_RESULT + FN_WINDOW, (size_t)-1) >= 0) {
        free_proofs(&r->value.proofs, who);
        tracked_free(r->value.faulty_sectors.ptr, TAG_INNER, who);
    }
    destroy_result(r, FN_WINDOW, r ? r->error_msg : (slice_boxed_uint8_t){0}, who);
}

API Result_GenerateSingleWindowPoStWithVanilla_t *generate_single_window_post_with_vanilla(
    RegisteredPoStProof_t registered_proof, const uint8_32_array_t *randomness, const uint8_32_array_t *prover_id,
    slice_ref_slice_boxed_uint8_t vanilla_proofs, size_t partition_index) {
    Result_GenerateSingleWindowPoStWithVanilla_t *r = NEW_RESULT(Result_GenerateSingleWindowPoStWithVanilla_t, FN_SINGLE_WINDOW);
    const char *why = check_boxed_list(vanilla_proofs);
    if (why) FAIL(r, FCPCallerError, "fake generate_single_window_post_with_vanilla: %s", why);
    size_t faulty = starting_with(vanilla_proofs, 0xFA, &r->value.faulty_sectors);
    if (faulty) FAIL(r, FCPReceiverError, "fake generate_single_window_post_with_vanilla: %zu faulty sectors in partition %zu", faulty, partition_index);
    if (starting_with(vanilla_proofs, 0xEE, NULL)) FAIL(r, FCPUnclassifiedError, "fake generate_single_window_post_with_vanilla: unreadable vanilla proof");
    r->value.partition_proof = (PoStProof_t){registered_proof, post_echo('S', registered_proof, randomness, prover_id, &partition_index, vanilla_proofs)};
    return r;
}

API void destroy_generate_single_window_post_with_vanilla_response(Result_GenerateSingleWindowPoStWithVanilla_t *r) {
    const char *who = "destroy_generate_single_window_post_with_vanilla_response";
    if (r && find(r, TAG_RESULT + FN_SINGLE_WINDOW, (size_t)-1) >= 0) {
        free_proof(&r->value.partition_proof, who);
        tracked_free(r->value.faulty_sectors.ptr, TAG_INNER, who);
    }
    destroy_result(r, FN_SINGLE_WINDOW, r ? r->error_msg : (slice_boxed_uint8_t){0}, who);
}

#ifndef FAKE_OMIT_MERGE
API Result_PoStProof_t *merge_window_post_partition_proofs(RegisteredPoStProof_t registered_proof, slice_ref_slice_boxed_uint8_t partition_proofs) {
    Result_PoStProof_t *r = NEW_RESULT(Result_PoStProof_t, FN_MERGE);
    const char *why = check_boxed_list(partition_proofs);
    if (why) FAIL(r, FCPCallerError, "fake merge_window_post_partition_proofs: %s", why);
    buf_t b = {0};
    for (size_t i = 0; i < partition_proofs.len; i++) put(&b, partition_proofs.ptr[i].ptr, partition_proofs.ptr[i].len);
    r->value = (PoStProof_t){registered_proof, take(&b)};
    return r;
}
#endif

API void destroy_merge_window_post_partition_proofs_response(Result_PoStProof_t *r) {
    const char *who = "destroy_merge_window_post_partition_proofs_response";
    if (r && find(r, TAG_RESULT + FN_MERGE, (size_t)-1) >= 0) free_proof(&r->value, who);
    destroy_result(r, FN_MERGE, r ? r->error_msg : (slice_boxed_uint8_t){0}, who);
}

static Result_bool_t *verify_post(char tag, int fn, const char *name, const uint8_32_array_t *randomness, slice_ref_PublicReplicaInfo_t replicas,
                                  slice_ref_PoStProof_t proofs, const uint8_32_array_t *prover_id) {
    Result_bool_t *r = NEW_RESULT(Result_bool_t, fn);
    if (!replicas.ptr || !proofs.ptr) FAIL(r, FCPCallerError, "fake %s: NULL slice_ref pointer", name);
    for (size_t i = 0; i < proofs.len; i++) {
        if (find(proofs.ptr[i].proof.ptr, TAG_CALLER_SLICE, proofs.ptr[i].proof.len) < 0) {
            misuse("%s: proof %zu was not made by alloc_boxed_slice", name, i);
            FAIL(r, FCPCallerError, "fake %s: proof %zu was not made by alloc_boxed_slice", name, i);
        }
    }
    buf_t expected = {0}, actual = {0};
    put_u8(&expected, (uint8_t)tag);
    put(&expected, randomness->idx, 32);
    put(&expected, prover_id->idx, 32);
    bool types_match = replicas.len > 0;
    for (size_t i = 0; i < replicas.len; i++) {
        if (replicas.ptr[i].sector_id == CURSED) {
            free(expected.p);
            FAIL(r, FCPReceiverError, "fake %s: sector %d is cursed", name, CURSED);
        }
        put_u32(&expected, (uint32_t)replicas.ptr[i].registered_proof);
        put(&expected, replicas.ptr[i].comm_r.idx, 32);
        put_u64(&expected, replicas.ptr[i].sector_id);
    }
    for (size_t i = 0; i < proofs.len; i++) {
        types_match = types_match && proofs.ptr[i].registered_proof == replicas.ptr[0].registered_proof;
        put(&actual, proofs.ptr[i].proof.ptr, proofs.ptr[i].proof.len);
    }
    r->value = types_match && expected.len == actual.len && memcmp(expected.p, actual.p, expected.len) == 0;
    free(expected.p);
    free(actual.p);
    return r;
}

API Result_bool_t *verify_winning_post(const uint8_32_array_t *randomness, slice_ref_PublicReplicaInfo_t replicas, slice_ref_PoStProof_t proofs,
                                       const uint8_32_array_t *prover_id) {
    return verify_post('N', FN_VERIFY_WINNING, "verify_winning_post", randomness, replicas, proofs, prover_id);
}

API void destroy_verify_winning_post_response(Result_bool_t *r) {
    destroy_result(r, FN_VERIFY_WINNING, r ? r->error_msg : (slice_boxed_uint8_t){0}, "destroy_verify_winning_post_response");
}

API Result_bool_t *verify_window_post(const uint8_32_array_t *randomness, slice_ref_PublicReplicaInfo_t replicas, slice_ref_PoStProof_t proofs,
                                      const uint8_32_array_t *prover_id) {
    return verify_post('W', FN_VERIFY_WINDOW, "verify_window_post", randomness, replicas, proofs, prover_id);
}

API void destroy_verify_window_post_response(Result_bool_t *r) {
    destroy_result(r, FN_VERIFY_WINDOW, r ? r->error_msg : (slice_boxed_uint8_t){0}, "destroy_verify_window_post_response");
}

API Result_size_t *get_num_partition_for_fallback_post(RegisteredPoStProof_t registered_proof, size_t num_sectors) {
    Result_size_t *r = NEW_RESULT(Result_size_t, FN_PARTITIONS);
    if (num_sectors == CURSED) FAIL(r, FCPReceiverError, "fake get_num_partition_for_fallback_post: %d sectors is cursed", CURSED);
    r->value = (size_t)registered_proof * 1000000 + num_sectors;
    return r;
}

API void destroy_get_num_partition_for_fallback_post_response(Result_size_t *r) {
    destroy_result(r, FN_PARTITIONS, r ? r->error_msg : (slice_boxed_uint8_t){0}, "destroy_get_num_partition_for_fallback_post_response");
}

API size_t fake_live_allocations(void) {
    acquire();
    size_t n = entry_count;
    release();
    return n;
}

API size_t fake_results_created(void) { return results_created; }
API size_t fake_results_destroyed(void) { return results_destroyed; }
API size_t fake_misuses(void) { return misuses; }
API const char *fake_last_misuse(void) { return last_misuse; }
