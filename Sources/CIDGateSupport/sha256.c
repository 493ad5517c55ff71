// SHA-256 and HMAC-SHA256 (FIPS 180-4, RFC 2104) without allocation, on the CPU's SHA instructions.
//
// Why here: the gateway hashes a few short messages per request (audit chain, record tags, subject hashes, Merkle
// leaves). OpenSSL 3's EVP digests allocate on every init or copy, its allocation-free SHA256_* functions are
// deprecated, and swift-crypto allocates a context per hash. A context here is a plain struct copied by value, so
// an HMAC key's inner and outer first blocks are compressed once and reused for every message.
//
// The block function is chosen once: the x86 SHA extensions (SHA-NI) or the ARMv8 SHA-2 instructions when the CPU
// has them, else portable C. Each instruction-set variant is compiled for its instructions only inside its own
// functions (target attributes), so the rest of the file, and the build, need no special flags.
#include "CIDGateSupport.h"

#include <stdatomic.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#define IDGATE_SHA256_X86 1
#elif defined(__aarch64__) && (defined(__ARM_FEATURE_SHA2) || defined(__ARM_FEATURE_CRYPTO))
// Every CPU this build targets has the SHA-2 instructions (Apple silicon, or -march with +crypto): no check.
#include <arm_neon.h>
#define IDGATE_SHA256_ARM 1
#define IDGATE_SHA256_ARM_TARGET
#elif defined(__aarch64__) && defined(__linux__)
// Optional on Linux arm64: compiled for the instructions inside their functions, used when the kernel reports them.
#include <arm_neon.h>
#include <sys/auxv.h>
#define IDGATE_SHA256_ARM 1
#define IDGATE_SHA256_ARM_RUNTIME_CHECK 1
#if defined(__clang__)
#define IDGATE_SHA256_ARM_TARGET __attribute__((target("sha2")))
#else
#define IDGATE_SHA256_ARM_TARGET __attribute__((target("+crypto")))
#endif
#endif

// Processes `count` whole 64-byte blocks into `state`.
typedef void (*sha256_blocks_function)(uint32_t state[8], const uint8_t *blocks, size_t count);

static const uint32_t initial_state[8] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

// FIPS 180-4 §4.2.2; 16-byte aligned for the vector loads.
static const uint32_t round_constants[64] __attribute__((aligned(16))) = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline uint32_t load_be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static inline void store_be32(uint8_t *p, uint32_t value) {
    p[0] = (uint8_t)(value >> 24);
    p[1] = (uint8_t)(value >> 16);
    p[2] = (uint8_t)(value >> 8);
    p[3] = (uint8_t)value;
}

static inline void store_be64(uint8_t *p, uint64_t value) {
    store_be32(p, (uint32_t)(value >> 32));
    store_be32(p + 4, (uint32_t)value);
}

// MARK: - Portable C

static inline uint32_t rotate_right(uint32_t x, unsigned n) { return (x >> n) | (x << (32 - n)); }

static void sha256_blocks_portable(uint32_t state[8], const uint8_t *blocks, size_t count) {
    uint32_t w[64];
    for (; count > 0; count--, blocks += 64) {
        for (int i = 0; i < 16; i++) w[i] = load_be32(blocks + 4 * i);
        for (int i = 16; i < 64; i++) {
            uint32_t s0 = rotate_right(w[i - 15], 7) ^ rotate_right(w[i - 15], 18) ^ (w[i - 15] >> 3);
            uint32_t s1 = rotate_right(w[i - 2], 17) ^ rotate_right(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
        uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
        for (int i = 0; i < 64; i++) {
            uint32_t sum1 = rotate_right(e, 6) ^ rotate_right(e, 11) ^ rotate_right(e, 25);
            uint32_t choice = (e & f) ^ (~e & g);
            uint32_t t1 = h + sum1 + choice + round_constants[i] + w[i];
            uint32_t sum0 = rotate_right(a, 2) ^ rotate_right(a, 13) ^ rotate_right(a, 22);
            uint32_t majority = (a & b) ^ (a & c) ^ (b & c);
            uint32_t t2 = sum0 + majority;
            h = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
        state[4] += e;
        state[5] += f;
        state[6] += g;
        state[7] += h;
    }
}

// MARK: - x86 SHA extensions

#if defined(IDGATE_SHA256_X86)
#define IDGATE_SHA_NI_TARGET __attribute__((target("sha,sse4.1")))

static int sha_ni_available(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    if (!(ecx & bit_SSSE3) || !(ecx & bit_SSE4_1)) return 0;
    if (__get_cpuid_max(0, NULL) < 7) return 0;
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    return (ebx & (1u << 29)) != 0;  // CPUID.(EAX=7,ECX=0):EBX.SHA[bit 29]
}

// Four rounds: the state is kept as the two halves the instruction wants, ABEF and CDGH.
IDGATE_SHA_NI_TARGET
static inline void sha_ni_rounds4(__m128i *abef, __m128i *cdgh, __m128i words, const uint32_t *constants) {
    __m128i input = _mm_add_epi32(words, _mm_load_si128((const __m128i *)constants));
    *cdgh = _mm_sha256rnds2_epu32(*cdgh, *abef, input);
    *abef = _mm_sha256rnds2_epu32(*abef, *cdgh, _mm_shuffle_epi32(input, 0x0e));
}

// Message words t..t+3 from words t-16..t-1, given as four vectors of four.
IDGATE_SHA_NI_TARGET
static inline __m128i sha_ni_schedule(__m128i w16, __m128i w12, __m128i w8, __m128i w4) {
    __m128i partial = _mm_sha256msg1_epu32(w16, w12);                  // w[t-16] + σ0(w[t-15])
    partial = _mm_add_epi32(partial, _mm_alignr_epi8(w4, w8, 4));      // + w[t-7]
    return _mm_sha256msg2_epu32(partial, w4);                          // + σ1(w[t-2])
}

IDGATE_SHA_NI_TARGET
static void sha256_blocks_sha_ni(uint32_t state[8], const uint8_t *blocks, size_t count) {
    const __m128i byte_swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i dcba = _mm_loadu_si128((const __m128i *)&state[0]);
    __m128i hgfe = _mm_loadu_si128((const __m128i *)&state[4]);
    __m128i cdab = _mm_shuffle_epi32(dcba, 0xb1);
    __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1b);
    __m128i abef = _mm_alignr_epi8(cdab, efgh, 8);
    __m128i cdgh = _mm_blend_epi16(efgh, cdab, 0xf0);

    for (; count > 0; count--, blocks += 64) {
        const __m128i abef_before = abef;
        const __m128i cdgh_before = cdgh;
        __m128i w0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(blocks + 0)), byte_swap);
        __m128i w1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(blocks + 16)), byte_swap);
        __m128i w2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(blocks + 32)), byte_swap);
        __m128i w3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(blocks + 48)), byte_swap);
        sha_ni_rounds4(&abef, &cdgh, w0, &round_constants[0]);
        sha_ni_rounds4(&abef, &cdgh, w1, &round_constants[4]);
        sha_ni_rounds4(&abef, &cdgh, w2, &round_constants[8]);
        sha_ni_rounds4(&abef, &cdgh, w3, &round_constants[12]);
        for (int round = 16; round < 64; round += 16) {
            w0 = sha_ni_schedule(w0, w1, w2, w3);
            sha_ni_rounds4(&abef, &cdgh, w0, &round_constants[round]);
            w1 = sha_ni_schedule(w1, w2, w3, w0);
            sha_ni_rounds4(&abef, &cdgh, w1, &round_constants[round + 4]);
            w2 = sha_ni_schedule(w2, w3, w0, w1);
            sha_ni_rounds4(&abef, &cdgh, w2, &round_constants[round + 8]);
            w3 = sha_ni_schedule(w3, w0, w1, w2);
            sha_ni_rounds4(&abef, &cdgh, w3, &round_constants[round + 12]);
        }
        abef = _mm_add_epi32(abef, abef_before);
        cdgh = _mm_add_epi32(cdgh, cdgh_before);
    }

    __m128i feba = _mm_shuffle_epi32(abef, 0x1b);
    __m128i dchg = _mm_shuffle_epi32(cdgh, 0xb1);
    _mm_storeu_si128((__m128i *)&state[0], _mm_blend_epi16(feba, dchg, 0xf0));  // DCBA
    _mm_storeu_si128((__m128i *)&state[4], _mm_alignr_epi8(dchg, feba, 8));    // HGFE
}
#endif

// MARK: - ARMv8 SHA-2 instructions

#if defined(IDGATE_SHA256_ARM)
static int arm_sha2_available(void) {
#if defined(IDGATE_SHA256_ARM_RUNTIME_CHECK)
#ifndef HWCAP_SHA2
#define HWCAP_SHA2 (1 << 6)
#endif
    return (getauxval(AT_HWCAP) & HWCAP_SHA2) != 0;
#else
    return 1;
#endif
}

IDGATE_SHA256_ARM_TARGET
static inline void arm_rounds4(uint32x4_t *abcd, uint32x4_t *efgh, uint32x4_t words, const uint32_t *constants) {
    uint32x4_t input = vaddq_u32(words, vld1q_u32(constants));
    uint32x4_t abcd_before = *abcd;
    *abcd = vsha256hq_u32(*abcd, *efgh, input);
    *efgh = vsha256h2q_u32(*efgh, abcd_before, input);
}

IDGATE_SHA256_ARM_TARGET
static inline uint32x4_t arm_schedule(uint32x4_t w16, uint32x4_t w12, uint32x4_t w8, uint32x4_t w4) {
    return vsha256su1q_u32(vsha256su0q_u32(w16, w12), w8, w4);
}

IDGATE_SHA256_ARM_TARGET
static inline uint32x4_t arm_load_words(const uint8_t *bytes) {
    return vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(bytes)));
}

IDGATE_SHA256_ARM_TARGET
static void sha256_blocks_arm(uint32_t state[8], const uint8_t *blocks, size_t count) {
    uint32x4_t abcd = vld1q_u32(&state[0]);
    uint32x4_t efgh = vld1q_u32(&state[4]);
    for (; count > 0; count--, blocks += 64) {
        const uint32x4_t abcd_before = abcd;
        const uint32x4_t efgh_before = efgh;
        uint32x4_t w0 = arm_load_words(blocks + 0);
        uint32x4_t w1 = arm_load_words(blocks + 16);
        uint32x4_t w2 = arm_load_words(blocks + 32);
        uint32x4_t w3 = arm_load_words(blocks + 48);
        arm_rounds4(&abcd, &efgh, w0, &round_constants[0]);
        arm_rounds4(&abcd, &efgh, w1, &round_constants[4]);
        arm_rounds4(&abcd, &efgh, w2, &round_constants[8]);
        arm_rounds4(&abcd, &efgh, w3, &round_constants[12]);
        for (int round = 16; round < 64; round += 16) {
            w0 = arm_schedule(w0, w1, w2, w3);
            arm_rounds4(&abcd, &efgh, w0, &round_constants[round]);
            w1 = arm_schedule(w1, w2, w3, w0);
            arm_rounds4(&abcd, &efgh, w1, &round_constants[round + 4]);
            w2 = arm_schedule(w2, w3, w0, w1);
            arm_rounds4(&abcd, &efgh, w2, &round_constants[round + 8]);
            w3 = arm_schedule(w3, w0, w1, w2);
            arm_rounds4(&abcd, &efgh, w3, &round_constants[round + 12]);
        }
        abcd = vaddq_u32(abcd, abcd_before);
        efgh = vaddq_u32(efgh, efgh_before);
    }
    vst1q_u32(&state[0], abcd);
    vst1q_u32(&state[4], efgh);
}
#endif

// MARK: - Choosing the block function

static sha256_blocks_function detected_blocks_function(void) {
#if defined(IDGATE_SHA256_X86)
    if (sha_ni_available()) return sha256_blocks_sha_ni;
#elif defined(IDGATE_SHA256_ARM)
    if (arm_sha2_available()) return sha256_blocks_arm;
#endif
    return sha256_blocks_portable;
}

static void sha256_blocks_first_call(uint32_t state[8], const uint8_t *blocks, size_t count);

// Starts as a function that detects the CPU, stores its choice and forwards: threads racing on the first call
// store the same value. Relaxed loads compile to plain loads.
static _Atomic(sha256_blocks_function) selected_blocks_function = sha256_blocks_first_call;

static void sha256_blocks_first_call(uint32_t state[8], const uint8_t *blocks, size_t count) {
    sha256_blocks_function detected = detected_blocks_function();
    sha256_blocks_function expected = sha256_blocks_first_call;
    atomic_compare_exchange_strong_explicit(&selected_blocks_function, &expected, detected,
                                            memory_order_relaxed, memory_order_relaxed);
    detected(state, blocks, count);
}

static inline void sha256_blocks(uint32_t state[8], const uint8_t *blocks, size_t count) {
    atomic_load_explicit(&selected_blocks_function, memory_order_relaxed)(state, blocks, count);
}

const char *idgate_sha256_implementation(void) {
    sha256_blocks_function function = atomic_load_explicit(&selected_blocks_function, memory_order_relaxed);
    if (function == sha256_blocks_first_call) function = detected_blocks_function();
#if defined(IDGATE_SHA256_X86)
    if (function == sha256_blocks_sha_ni) return "x86-sha-ni";
#elif defined(IDGATE_SHA256_ARM)
    if (function == sha256_blocks_arm) return "armv8-sha2";
#endif
    return "portable";
}

void idgate_sha256_force_portable(int force) {
    atomic_store_explicit(&selected_blocks_function, force ? sha256_blocks_portable : detected_blocks_function(),
                          memory_order_relaxed);
}

// MARK: - Hashing

// Pads the last `length` (< 64) bytes of a message of `total_length` bytes, compresses the one or two final blocks
// and writes the digest.
static void sha256_finish(uint32_t state[8], const uint8_t *tail, size_t length, uint64_t total_length,
                          uint8_t digest[IDGATE_SHA256_DIGEST_LENGTH]) {
    uint8_t padded[2 * IDGATE_SHA256_BLOCK_LENGTH];
    size_t padded_length = length < 56 ? 64 : 128;
    if (length > 0) memcpy(padded, tail, length);
    padded[length] = 0x80;
    memset(padded + length + 1, 0, padded_length - 8 - length - 1);
    store_be64(padded + padded_length - 8, total_length * 8);
    sha256_blocks(state, padded, padded_length / 64);
    for (int i = 0; i < 8; i++) store_be32(digest + 4 * i, state[i]);
}

// The digest of `length` bytes following `prefix_length` bytes (whole blocks) already compressed into `start`.
static void sha256_message(const uint32_t start[8], uint64_t prefix_length, const uint8_t *message, size_t length,
                           uint8_t digest[IDGATE_SHA256_DIGEST_LENGTH]) {
    uint32_t state[8];
    memcpy(state, start, sizeof state);
    size_t whole_blocks = length / 64;
    if (whole_blocks > 0) sha256_blocks(state, message, whole_blocks);
    const uint8_t *tail = whole_blocks > 0 ? message + whole_blocks * 64 : message;  // no arithmetic on NULL
    sha256_finish(state, tail, length % 64, prefix_length + length, digest);
}

void idgate_sha256_init(idgate_sha256_ctx *ctx) {
    memcpy(ctx->state, initial_state, sizeof initial_state);
    ctx->count = 0;
}

void idgate_sha256_update(idgate_sha256_ctx *ctx, const void *data, size_t length) {
    if (length == 0) return;
    const uint8_t *bytes = data;
    size_t buffered = (size_t)(ctx->count % 64);
    ctx->count += length;
    if (buffered > 0) {
        size_t take = 64 - buffered < length ? 64 - buffered : length;
        memcpy(ctx->buffer + buffered, bytes, take);
        bytes += take;
        length -= take;
        if (buffered + take < 64) return;
        sha256_blocks(ctx->state, ctx->buffer, 1);
    }
    size_t whole_blocks = length / 64;
    if (whole_blocks > 0) {
        sha256_blocks(ctx->state, bytes, whole_blocks);
        bytes += whole_blocks * 64;
        length -= whole_blocks * 64;
    }
    if (length > 0) memcpy(ctx->buffer, bytes, length);
}

void idgate_sha256_final(idgate_sha256_ctx *ctx, uint8_t digest[IDGATE_SHA256_DIGEST_LENGTH]) {
    sha256_finish(ctx->state, ctx->buffer, (size_t)(ctx->count % 64), ctx->count, digest);
}

void idgate_sha256(const void *data, size_t length, uint8_t digest[IDGATE_SHA256_DIGEST_LENGTH]) {
    sha256_message(initial_state, 0, data, length, digest);
}

// MARK: - HMAC

void idgate_hmac_sha256_init_key(idgate_hmac_sha256_key *hmac_key, const void *key, size_t key_length) {
    uint8_t block[IDGATE_SHA256_BLOCK_LENGTH] = {0};
    if (key_length > IDGATE_SHA256_BLOCK_LENGTH) {
        idgate_sha256(key, key_length, block);
    } else if (key_length > 0) {
        memcpy(block, key, key_length);
    }
    for (int i = 0; i < IDGATE_SHA256_BLOCK_LENGTH; i++) block[i] ^= 0x36;
    idgate_sha256_init(&hmac_key->inner);
    idgate_sha256_update(&hmac_key->inner, block, sizeof block);
    for (int i = 0; i < IDGATE_SHA256_BLOCK_LENGTH; i++) block[i] ^= 0x36 ^ 0x5c;
    idgate_sha256_init(&hmac_key->outer);
    idgate_sha256_update(&hmac_key->outer, block, sizeof block);
    // The stack copy of the padded key is not needed any more: clear it where the compiler cannot drop the store.
    volatile uint8_t *wipe = block;
    for (int i = 0; i < IDGATE_SHA256_BLOCK_LENGTH; i++) wipe[i] = 0;
}

void idgate_hmac_sha256(const idgate_hmac_sha256_key *hmac_key, const void *message, size_t length,
                        uint8_t tag[IDGATE_SHA256_DIGEST_LENGTH]) {
    uint8_t inner_digest[IDGATE_SHA256_DIGEST_LENGTH];
    sha256_message(hmac_key->inner.state, IDGATE_SHA256_BLOCK_LENGTH, message, length, inner_digest);
    sha256_message(hmac_key->outer.state, IDGATE_SHA256_BLOCK_LENGTH, inner_digest, sizeof inner_digest, tag);
}

void idgate_hmac_sha256_final(const idgate_hmac_sha256_key *hmac_key, idgate_sha256_ctx *inner,
                              uint8_t tag[IDGATE_SHA256_DIGEST_LENGTH]) {
    uint8_t inner_digest[IDGATE_SHA256_DIGEST_LENGTH];
    idgate_sha256_final(inner, inner_digest);
    sha256_message(hmac_key->outer.state, IDGATE_SHA256_BLOCK_LENGTH, inner_digest, sizeof inner_digest, tag);
}
