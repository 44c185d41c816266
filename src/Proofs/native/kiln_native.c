// Kiln's native SHA-256 kernel: SHA-NI compressions for SDR labeling and for the
// sha256-trunc254 merkle trees (tree_d, commP). Built by Proofs.csproj; when it is
// missing or the CPU lacks SHA-NI, Kiln uses its managed path, which produces the same bytes.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define KILN_API __attribute__((visibility("default")))
#define KILN_NATIVE_VERSION 2

KILN_API int kiln_native_version(void) { return KILN_NATIVE_VERSION; }

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define SHA_TARGET __attribute__((target("sha,sse4.1,ssse3")))

static const uint32_t K256[64] __attribute__((aligned(16))) = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

// Initial state in SHA-NI lane order: s0 = ABEF, s1 = CDGH.
#define IV_ABEF _mm_set_epi32(0x6a09e667, 0xbb67ae85, 0x510e527f, 0x9b05688c)
#define IV_CDGH _mm_set_epi32(0x3c6ef372, 0xa54ff53a, 0x1f83d9ab, 0x5be0cd19)

SHA_TARGET static inline __m128i load_be(const uint8_t* p) {
    const __m128i mask = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    return _mm_shuffle_epi8(_mm_loadu_si128((const __m128i*)p), mask);
}

#define ALWAYS_INLINE inline __attribute__((always_inline))
// Independent SHA-256 streams hashed in lockstep (two saturate the SHA unit; see labeling below).
#define MAX_STREAMS 2

// W compressions in lockstep, one per stream; the rounds of the streams alternate so that each
// sha256rnds2 waits only on its own stream. m[w] holds stream w's 16 message words (big-endian).
SHA_TARGET static ALWAYS_INLINE void compress_streams(const int W, __m128i* abef, __m128i* cdgh, __m128i (*m)[4]) {
    __m128i s0[MAX_STREAMS], s1[MAX_STREAMS];
#pragma GCC unroll 2
    for (int w = 0; w < W; w++) {
        s0[w] = abef[w];
        s1[w] = cdgh[w];
    }
#pragma GCC unroll 16
    for (int i = 0; i < 16; i++) {
        const __m128i k = _mm_load_si128((const __m128i*)&K256[4 * i]);
#pragma GCC unroll 2
        for (int w = 0; w < W; w++) {
            __m128i x;
            if (i < 4) {
                x = m[w][i];
            } else {
                __m128i t = _mm_sha256msg1_epu32(m[w][i & 3], m[w][(i + 1) & 3]);
                t = _mm_add_epi32(t, _mm_alignr_epi8(m[w][(i + 3) & 3], m[w][(i + 2) & 3], 4));
                x = _mm_sha256msg2_epu32(t, m[w][(i + 3) & 3]);
                m[w][i & 3] = x;
            }
            const __m128i wk = _mm_add_epi32(x, k);
            s1[w] = _mm_sha256rnds2_epu32(s1[w], s0[w], wk);
            s0[w] = _mm_sha256rnds2_epu32(s0[w], s1[w], _mm_shuffle_epi32(wk, 0x0E));
        }
    }
#pragma GCC unroll 2
    for (int w = 0; w < W; w++) {
        abef[w] = _mm_add_epi32(s0[w], abef[w]);
        cdgh[w] = _mm_add_epi32(s1[w], cdgh[w]);
    }
}

// One compression of a block whose 16 big-endian words are given as four vectors.
SHA_TARGET static ALWAYS_INLINE void compress4(__m128i* abef, __m128i* cdgh, __m128i m0, __m128i m1, __m128i m2, __m128i m3) {
    __m128i m[1][4] = {{m0, m1, m2, m3}};
    compress_streams(1, abef, cdgh, m);
}

// A block made of two 32-byte halves (two labels or two tree nodes).
SHA_TARGET static inline void compress_halves(__m128i* abef, __m128i* cdgh, const uint8_t* lo, const uint8_t* hi) {
    compress4(abef, cdgh, load_be(lo), load_be(lo + 16), load_be(hi), load_be(hi + 16));
}

// Writes the digest (big-endian words, standard byte order) with byte 31 masked to 254 bits.
SHA_TARGET static inline void store_trunc254(__m128i abef, __m128i cdgh, uint8_t* out) {
    const __m128i tmp = _mm_shuffle_epi32(abef, 0x1B);   // FEBA
    cdgh = _mm_shuffle_epi32(cdgh, 0xB1);                // DCHG
    __m128i dcba = _mm_blend_epi16(tmp, cdgh, 0xF0);     // DCBA
    __m128i hgfe = _mm_alignr_epi8(cdgh, tmp, 8);        // HGFE
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    _mm_storeu_si128((__m128i*)out, _mm_shuffle_epi8(dcba, bswap));
    _mm_storeu_si128((__m128i*)(out + 16), _mm_shuffle_epi8(hgfe, bswap));
    out[31] &= 0x3F;
}

KILN_API int kiln_sha_ni_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sha") && __builtin_cpu_supports("sse4.1") ? 1 : 0;
}

// out[i] = trunc254(SHA-256(in[64 i .. 64 i + 64])) for i < count. in and out may alias
// when out <= in (the tree builder hashes a level in place).
SHA_TARGET KILN_API void kiln_sha254_pairs(const uint8_t* in, uint8_t* out, size_t count) {
    // The second block of a 64-byte message is constant: 0x80, zeros, bit length 512.
    const __m128i p0 = _mm_set_epi32(0, 0, 0, (int)0x80000000);
    const __m128i pz = _mm_setzero_si128();
    const __m128i p3 = _mm_set_epi32(0x200, 0, 0, 0);
    size_t i = 0;
    // Two independent streams keep the SHA unit busy while one waits on rnds2 latency.
    for (; i + 2 <= count; i += 2) {
        __m128i a0 = IV_ABEF, a1 = IV_CDGH, b0 = IV_ABEF, b1 = IV_CDGH;
        const uint8_t* x = in + 64 * i;
        __m128i xa0 = load_be(x), xa1 = load_be(x + 16), xa2 = load_be(x + 32), xa3 = load_be(x + 48);
        __m128i xb0 = load_be(x + 64), xb1 = load_be(x + 80), xb2 = load_be(x + 96), xb3 = load_be(x + 112);
        compress4(&a0, &a1, xa0, xa1, xa2, xa3);
        compress4(&b0, &b1, xb0, xb1, xb2, xb3);
        compress4(&a0, &a1, p0, pz, pz, p3);
        compress4(&b0, &b1, p0, pz, pz, p3);
        store_trunc254(a0, a1, out + 32 * i);
        store_trunc254(b0, b1, out + 32 * (i + 1));
    }
    for (; i < count; i++) {
        __m128i a0 = IV_ABEF, a1 = IV_CDGH;
        compress_halves(&a0, &a1, in + 64 * i, in + 64 * i + 32);
        compress4(&a0, &a1, p0, pz, pz, p3);
        store_trunc254(a0, a1, out + 32 * i);
    }
}

// ---- SDR labeling (rust-fil-proofs create_label semantics) ----
//
// label(v) = trunc254(SHA-256(replica || layer BE32 || v BE64 || 0^20 || 37 parent labels)), 20
// compressions per node: the prefix block, 18 blocks of parent pairs, and parent 36 with padding.
// Parent j is lab[j mod n] with n = 6 (layer 1: base parents) or 14 (base then expander parents).
//
// Layers are addressed through block tables (kiln_layer): the label of node v is at
// blocks[v >> shift] + 32 (v & (2^shift - 1)), so a layer need not be contiguous. A contiguous
// layer is one block.
//
// One chain of compressions is bound by the latency of sha256rnds2 (about 4 cycles on AMD Zen,
// while the unit accepts one every 2), and node v needs node v - 1 of the same sector. Labeling
// two sectors at once and alternating the rounds of their compressions keeps the SHA unit busy:
// here that is about 1.7x the labels/s of one stream. Three or four interleaved streams measured
// no faster (the unit is saturated) and slower once the layers outgrow the caches, so a batch is
// labeled as pairs of streams.

// Same layout as Kiln.Proofs.Sdr.LayerBlocks.
typedef struct {
    uint8_t* const* blocks;
    uint64_t nodes;
    uint32_t shift;
} kiln_layer;

// Nodes between the prefetch of a node's parent labels and its hashing.
#define PREFETCH_AHEAD 12

// Where a stream reads and writes labels: a layer's block table, shift and in-block mask.
typedef struct {
    uint8_t* const* blocks;
    uint64_t mask;
    uint32_t shift;
} layer_addr;

static ALWAYS_INLINE layer_addr addr_of(const kiln_layer* l) {
    layer_addr a = {l->blocks, (UINT64_C(1) << l->shift) - 1, l->shift};
    return a;
}

static ALWAYS_INLINE uint8_t* label_at(layer_addr a, uint64_t v) { return a.blocks[v >> a.shift] + ((v & a.mask) << 5); }

// One stream of work: a sector's layers and replica id, and the first node it labels.
typedef struct {
    const kiln_layer* cur;
    const kiln_layer* prev;
    const uint8_t* replica;
    uint64_t start;
} stream_job;

// Node 0 of every layer hashes the prefix block alone: 64 bytes, 2 compressions.
SHA_TARGET static void label_node_zero(const kiln_layer* cur, const uint8_t* replica, uint32_t layer) {
    const __m128i zero = _mm_setzero_si128();
    __m128i a = IV_ABEF, c = IV_CDGH;
    compress4(&a, &c, load_be(replica), load_be(replica + 16), _mm_set_epi32(0, 0, 0, (int)layer), zero);
    compress4(&a, &c, _mm_set_epi32(0, 0, 0, (int)0x80000000), zero, zero, _mm_set_epi32(0x200, 0, 0, 0));  // padding, 512 bits
    store_trunc254(a, c, label_at(addr_of(cur), 0));
}

// Labels `count` nodes of W streams, stream w from node job[w].start >= 1 on. N = 6 (layer 1) or 14.
SHA_TARGET static ALWAYS_INLINE void label_streams(const int W, const int N, const uint32_t* parents, const stream_job* job,
                                                   uint32_t layer, uint64_t count) {
    layer_addr ca[MAX_STREAMS], pa[MAX_STREAMS];
    __m128i r0[MAX_STREAMS], r1[MAX_STREAMS];
    uint64_t first[MAX_STREAMS];
#pragma GCC unroll 2
    for (int w = 0; w < W; w++) {
        ca[w] = addr_of(job[w].cur);
        pa[w] = N == 14 ? addr_of(job[w].prev) : ca[w];
        r0[w] = load_be(job[w].replica);
        r1[w] = load_be(job[w].replica + 16);
        first[w] = job[w].start;
    }
    const __m128i zero = _mm_setzero_si128();
    const __m128i lpad = _mm_set_epi32(0, 0, 0, (int)0x80000000);  // word 8 of the last block: 0x80 then zeros
    const __m128i len_tail = _mm_set_epi32(0x2700, 0, 0, 0);         // 1248 bytes = 0x2700 bits
    for (uint64_t i = 0; i < count; i++) {
        if (i + PREFETCH_AHEAD < count) {
#pragma GCC unroll 2
            for (int w = 0; w < W; w++) {
                const uint32_t* q = parents + 14 * (first[w] + i + PREFETCH_AHEAD);
#pragma GCC unroll 14
                for (int k = 0; k < N; k++) __builtin_prefetch(label_at(k < 6 ? ca[w] : pa[w], q[k]), 0, 3);
            }
        }

        __m128i a[MAX_STREAMS], c[MAX_STREAMS], m[MAX_STREAMS][4];
#pragma GCC unroll 2
        for (int w = 0; w < W; w++) {
            // prefix block: replica_id, layer (BE u32), node (BE u64), 20 zero bytes
            const uint64_t v = first[w] + i;
            a[w] = IV_ABEF;
            c[w] = IV_CDGH;
            m[w][0] = r0[w];
            m[w][1] = r1[w];
            m[w][2] = _mm_set_epi32(0, (int)(uint32_t)v, (int)(uint32_t)(v >> 32), (int)layer);
            m[w][3] = zero;
        }
        compress_streams(W, a, c, m);

        const uint8_t* lab[MAX_STREAMS][14];
#pragma GCC unroll 2
        for (int w = 0; w < W; w++) {
            const uint32_t* p = parents + 14 * (first[w] + i);
#pragma GCC unroll 14
            for (int k = 0; k < N; k++) lab[w][k] = label_at(k < 6 ? ca[w] : pa[w], p[k]);
        }

        // 36 parents in 18 blocks; block b holds the pair (2q, 2q + 1), q = b mod N/2
        int q = 0;
        for (int b = 0; b < 18; b++) {
#pragma GCC unroll 2
            for (int w = 0; w < W; w++) {
                const uint8_t* x = lab[w][2 * q];
                const uint8_t* y = lab[w][2 * q + 1];
                m[w][0] = load_be(x);
                m[w][1] = load_be(x + 16);
                m[w][2] = load_be(y);
                m[w][3] = load_be(y + 16);
            }
            compress_streams(W, a, c, m);
            q = q + 1 == N / 2 ? 0 : q + 1;
        }

        // parent 36 (= lab[36 mod N]) and padding
#pragma GCC unroll 2
        for (int w = 0; w < W; w++) {
            const uint8_t* x = lab[w][36 % N];
            m[w][0] = load_be(x);
            m[w][1] = load_be(x + 16);
            m[w][2] = lpad;
            m[w][3] = len_tail;
        }
        compress_streams(W, a, c, m);
#pragma GCC unroll 2
        for (int w = 0; w < W; w++) store_trunc254(a[w], c[w], label_at(ca[w], first[w] + i));
    }
}

SHA_TARGET static void label_one(const uint32_t* parents, const stream_job* job, uint32_t layer, uint64_t count) {
    if (job->prev)
        label_streams(1, 14, parents, job, layer, count);
    else
        label_streams(1, 6, parents, job, layer, count);
}

SHA_TARGET static void label_two(const uint32_t* parents, const stream_job* job, uint32_t layer, uint64_t count) {
    if (job->prev)
        label_streams(2, 14, parents, job, layer, count);
    else
        label_streams(2, 6, parents, job, layer, count);
}

// Two streams of different lengths: together while both run, then the longer one alone.
static void label_pair(const uint32_t* parents, stream_job a, uint64_t a_count, stream_job b, uint64_t b_count, uint32_t layer) {
    const uint64_t both = a_count < b_count ? a_count : b_count;
    const stream_job pair[2] = {a, b};
    if (both > 0) label_two(parents, pair, layer, both);
    stream_job rest = a_count > both ? a : b;
    rest.start += both;
    if (a_count != b_count) label_one(parents, &rest, layer, (a_count > b_count ? a_count : b_count) - both);
}

// SDR labeling of nodes [start, end) of layer `layer` (1-based) for `count` sectors of the same graph.
//   parents   node-major parent cache: 14 u32 per node (6 base, then 8 expander), indexed from node 0
//   cur       count layers being written; base parents are read from them
//   prev      count previous layers (expander parents), NULL for layer 1
//   replicas  count replica ids of 32 bytes each
// Labels below start must already be in cur; count 1 is the single-sector kernel. Sectors are
// labeled two at a time over the range (parent rows read once per node for the pair); of an odd
// count of 3 or more the last three take turns in pairs over the two halves of the range (0+1 first
// halves, 0 second half + 2 first half, 1+2 second halves), so no stream runs alone.
SHA_TARGET KILN_API void kiln_sdr_label_batch(const uint32_t* parents, const kiln_layer* cur, const kiln_layer* prev,
                                              const uint8_t* replicas, uint32_t count, uint32_t layer, uint64_t start,
                                              uint64_t end) {
    if (start >= end || count == 0) return;
    if (start == 0) {
        for (uint32_t s = 0; s < count; s++) label_node_zero(&cur[s], replicas + 32 * s, layer);
        if (++start == end) return;
    }

    const uint64_t n = end - start;
    const uint32_t tail = count % 2 == 0 ? 0 : count == 1 ? 1 : 3;
    stream_job job[MAX_STREAMS + 1];
    for (uint32_t s = 0; s < count; s++) {
        const stream_job j = {&cur[s], prev ? &prev[s] : NULL, replicas + 32 * s, start};
        if (s + tail < count) {
            if (s % 2 == 1) label_pair(parents, job[0], n, j, n, layer);
            job[0] = j;
        } else {
            job[s + tail - count] = j;
        }
    }

    if (tail == 1) {
        label_one(parents, &job[0], layer, n);
    } else if (tail == 3) {
        const uint64_t half = n / 2;  // first halves: half nodes, second halves: n - half >= half
        stream_job second[3];
        for (int k = 0; k < 3; k++) {
            second[k] = job[k];
            second[k].start += half;
        }

        label_pair(parents, job[0], half, job[1], half, layer);
        label_pair(parents, second[0], n - half, job[2], half, layer);
        label_pair(parents, second[1], n - half, second[2], n - half, layer);
    }
}

#else
KILN_API int kiln_sha_ni_available(void) { return 0; }
KILN_API void kiln_sha254_pairs(const uint8_t* in, uint8_t* out, size_t count) { (void)in; (void)out; (void)count; }
typedef struct kiln_layer kiln_layer;
KILN_API void kiln_sdr_label_batch(const uint32_t* parents, const kiln_layer* cur, const kiln_layer* prev,
                                   const uint8_t* replicas, uint32_t count, uint32_t layer, uint64_t start, uint64_t end) {
    (void)parents; (void)cur; (void)prev; (void)replicas; (void)count; (void)layer; (void)start; (void)end;
}
#endif
