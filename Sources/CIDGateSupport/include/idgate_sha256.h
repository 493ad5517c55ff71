#ifndef IDGATE_SHA256_H
#define IDGATE_SHA256_H
#include <stddef.h>
#include <stdint.h>

#define IDGATE_SHA256_DIGEST_LENGTH 32
#define IDGATE_SHA256_BLOCK_LENGTH 64

/// A SHA-256 computation in progress (FIPS 180-4). A plain value: no allocation, no cleanup, and a copy is an
/// independent computation, so a common prefix (an HMAC key block, a domain-separation tag) is hashed once and the
/// context copied for each message.
typedef struct {
    uint32_t state[8];
    /// Bytes absorbed so far; the first `count % 64` bytes of `buffer` are the pending partial block.
    uint64_t count;
    uint8_t buffer[IDGATE_SHA256_BLOCK_LENGTH];
} idgate_sha256_ctx;

void idgate_sha256_init(idgate_sha256_ctx *ctx);
/// Absorbs `length` bytes; `data` may be NULL when `length` is 0.
void idgate_sha256_update(idgate_sha256_ctx *ctx, const void *data, size_t length);
/// Writes the digest of everything absorbed. The context is spent afterwards: initialise it again to reuse it.
void idgate_sha256_final(idgate_sha256_ctx *ctx, uint8_t digest[IDGATE_SHA256_DIGEST_LENGTH]);
/// The digest of one message, without a context in memory.
void idgate_sha256(const void *data, size_t length, uint8_t digest[IDGATE_SHA256_DIGEST_LENGTH]);

/// An HMAC-SHA256 key with the key-dependent first block of the inner and outer hashes already compressed
/// (RFC 2104): a tag then costs the message's blocks plus one outer block, with no key work per message.
/// Holds key-equivalent secrets; a plain value that may be copied and shared read-only between threads.
typedef struct {
    idgate_sha256_ctx inner;
    idgate_sha256_ctx outer;
} idgate_hmac_sha256_key;

/// Precomputes `hmac_key` from `key_length` bytes of `key` (any length; keys longer than 64 bytes are hashed
/// first, as RFC 2104 says). `key` may be NULL when `key_length` is 0.
void idgate_hmac_sha256_init_key(idgate_hmac_sha256_key *hmac_key, const void *key, size_t key_length);
/// The HMAC-SHA256 tag of one message.
void idgate_hmac_sha256(const idgate_hmac_sha256_key *hmac_key, const void *message, size_t length,
                        uint8_t tag[IDGATE_SHA256_DIGEST_LENGTH]);
/// The tag of a message fed in parts: copy `hmac_key->inner`, update the copy with each part, then finish it here
/// (the copy is spent afterwards).
void idgate_hmac_sha256_final(const idgate_hmac_sha256_key *hmac_key, idgate_sha256_ctx *inner,
                              uint8_t tag[IDGATE_SHA256_DIGEST_LENGTH]);

/// The block function in use: "x86-sha-ni", "armv8-sha2" or "portable" (for logs and benchmarks).
const char *idgate_sha256_implementation(void);
/// For tests and benchmarks: nonzero makes every later hash use the portable C block function, zero returns to
/// the CPU's SHA instructions where present. Process-wide; both give the same digests.
void idgate_sha256_force_portable(int force);

#endif
