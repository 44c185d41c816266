// Kiln's native SHA-256 kernel: SHA-NI compressions for SDR labeling and for the
// sha256-trunc254 merkle trees (tree_d, commP). Built by Proofs.Native.csproj; when it is
// missing or the CPU lacks SHA-NI, Kiln uses its managed path, which produces the same bytes.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define KILN_API __attribute__((visibility("default")))
#define KILN_NATIVE_VERSION 1

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

// One compression of a block whose 16 big-endian words are given as four vectors.
SHA_TARGET static inline void compress4(__m128i* abef, __m128i* cdgh, __m128i m0, __m128i m1, __m128i m2, __m128i m3) {
    __m128i s0 = *abef, s1 = *cdgh;
    const __m128i save0 = s0, save1 = s1;
    __m128i m[4] = {m0, m1, m2, m3};
#pragma GCC unroll 16
    for (int i = 0; i < 16; i++) {
        __m128i w;
        if (i < 4) {
            w = m[i];
        } else {
            __m128i t = _mm_sha256msg1_epu32(m[i & 3], m[(i + 1) & 3]);
            t = _mm_add_epi32(t, _mm_alignr_epi8(m[(i + 3) & 3], m[(i + 2) & 3], 4));
            w = _mm_sha256msg2_epu32(t, m[(i + 3) & 3]);
            m[i & 3] = w;
        }
        __m128i k = _mm_add_epi32(w, _mm_load_si128((const __m128i*)&K256[4 * i]));
        s1 = _mm_sha256rnds2_epu32(s1, s0, k);
        s0 = _mm_sha256rnds2_epu32(s0, s1, _mm_shuffle_epi32(k, 0x0E));
    }
    *abef = _mm_add_epi32(s0, save0);
    *cdgh = _mm_add_epi32(s1, save1);
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

// SDR labeling of nodes [start, end) of one layer (rust-fil-proofs create_label semantics).
//   parents   node-major parent cache: 14 u32 per node (6 base, then 8 expander), indexed from node 0
//   cur       the layer being written (label of node v at 32 v); base parents are read from it
//   prev      the previous layer (expander parents), NULL for layer 1
//   replica   32-byte replica id; layer is 1-based.
// label(v) = trunc254(SHA-256(replica || layer BE32 || v BE64 || 0^20 || 37 parent labels)).
SHA_TARGET KILN_API void kiln_sdr_label_range(const uint32_t* parents, uint8_t* cur, const uint8_t* prev,
                                              const uint8_t* replica, uint32_t layer, uint64_t start, uint64_t end) {
    const __m128i r0 = load_be(replica), r1 = load_be(replica + 16);
    const __m128i lpad = _mm_set_epi32(0, 0, 0, (int)0x80000000);  // word 8 of the last block: 0x80 then zeros
    const __m128i len_tail = _mm_set_epi32(0x2700, 0, 0, 0);  // 1248 bytes = 0x2700 bits
    const __m128i zero = _mm_setzero_si128();
    const int n = prev ? 14 : 6;
    enum { AHEAD = 12 };
    for (uint64_t v = start; v < end; v++) {
        // prefix block: replica_id, layer (BE u32), node (BE u64), 20 zero bytes
        const __m128i p2 = _mm_set_epi32(0, (int)(uint32_t)v, (int)(uint32_t)(v >> 32), (int)layer);  // words 8..11
        __m128i a = IV_ABEF, c = IV_CDGH;
        compress4(&a, &c, r0, r1, p2, zero);
        if (v == 0) {
            const __m128i f0 = _mm_set_epi32(0, 0, 0, (int)0x80000000);
            const __m128i f3 = _mm_set_epi32(0x200, 0, 0, 0);
            compress4(&a, &c, f0, zero, zero, f3);
            store_trunc254(a, c, cur);
            continue;
        }
        if (v + AHEAD < end) {
            const uint32_t* q = parents + 14 * (v + AHEAD);
            for (int k = 0; k < 6; k++) __builtin_prefetch(cur + 32 * (size_t)q[k], 0, 3);
            if (prev)
                for (int k = 6; k < 14; k++) __builtin_prefetch(prev + 32 * (size_t)q[k], 0, 3);
        }
        const uint32_t* p = parents + 14 * v;
        const uint8_t* lab[14];
        for (int k = 0; k < 6; k++) lab[k] = cur + 32 * (size_t)p[k];
        if (prev)
            for (int k = 6; k < 14; k++) lab[k] = prev + 32 * (size_t)p[k];
        // 36 parents in 18 blocks, parent j = lab[j mod n]
        int j = 0;
        for (int b = 0; b < 18; b++) {
            const uint8_t* x = lab[j];
            j = (j + 1 == n) ? 0 : j + 1;
            const uint8_t* y = lab[j];
            j = (j + 1 == n) ? 0 : j + 1;
            compress_halves(&a, &c, x, y);
        }
        // parent 36 (= lab[36 mod n]) and padding
        const uint8_t* last = lab[36 % n];
        compress4(&a, &c, load_be(last), load_be(last + 16), lpad, len_tail);
        store_trunc254(a, c, cur + 32 * v);
    }
}
#else
KILN_API int kiln_sha_ni_available(void) { return 0; }
KILN_API void kiln_sha254_pairs(const uint8_t* in, uint8_t* out, size_t count) { (void)in; (void)out; (void)count; }
KILN_API void kiln_sdr_label_range(const uint32_t* parents, uint8_t* cur, const uint8_t* prev, const uint8_t* replica,
                                   uint32_t layer, uint64_t start, uint64_t end) {
    (void)parents; (void)cur; (void)prev; (void)replica; (void)layer; (void)start; (void)end;
}
#endif
