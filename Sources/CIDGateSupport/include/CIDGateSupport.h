#ifndef IDGATE_CIDGATESUPPORT_H
#define IDGATE_CIDGATESUPPORT_H
#include <stddef.h>
#include <stdint.h>

#include "idgate_sha256.h"

/// True when the CPU has the SSE4.2 CRC32 instruction (x86-64); false elsewhere.
int idgate_crc32c_hardware_available(void);

/// Continues CRC-32C (Castagnoli) `crc` over `count` bytes with the CPU's CRC32 instruction: raw register value
/// in and out (the caller applies the initial and final inversion). Call only when
/// `idgate_crc32c_hardware_available()`.
uint32_t idgate_crc32c_hardware(uint32_t crc, const void *bytes, size_t count);

/// A small-block allocator with per-thread free lists (see block_pool.c), in the shape of nghttp2's `nghttp2_mem`
/// functions (`user_data` is unused). Blocks from `idgate_pool_malloc` must be released with `idgate_pool_free`.
void *idgate_pool_malloc(size_t size, void *user_data);
void idgate_pool_free(void *pointer, void *user_data);
void *idgate_pool_calloc(size_t count, size_t size, void *user_data);
void *idgate_pool_realloc(void *pointer, size_t size, void *user_data);
/// Bytes the calling thread keeps in its free lists.
size_t idgate_pool_cached_bytes(void);

/// Returns the free pages of every malloc arena to the system (glibc `malloc_trim(0)`); 1 when memory was
/// released. Does nothing (0) on other C libraries.
int idgate_malloc_trim(void);

/// Fills `buffer` with `count` bytes from the kernel's CSPRNG (`getrandom`, blocking only until the pool is first
/// seeded); 1 on success, 0 when unavailable (then the caller falls back).
int idgate_random_bytes(void *buffer, size_t count);

#endif
