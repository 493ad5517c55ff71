// The C helpers of CIDGateSupport (CRC-32C, SHA-256/HMAC, the small-block pool) under AddressSanitizer and
// UndefinedBehaviorSanitizer: `make sanitize` compiles this file with them and runs it. Exits non-zero on a wrong
// result; the sanitizers abort on a memory or undefined-behaviour error.
#include "CIDGateSupport.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;
#define CHECK(condition, ...) do { if (!(condition)) { failures++; fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)

// Deterministic bytes (xorshift), so a failure reproduces.
static uint64_t state = 0x9E3779B97F4A7C15u;
static uint64_t next_random(void) {
    state ^= state << 13; state ^= state >> 7; state ^= state << 17;
    return state;
}

static uint32_t crc32c_reference(uint32_t crc, const unsigned char *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
    }
    return crc;
}

static void check_crc32c(void) {
    if (!idgate_crc32c_hardware_available()) { fprintf(stderr, "crc32c: no SSE4.2, skipped\n"); return; }
    const char *nine = "123456789";
    CHECK((idgate_crc32c_hardware(~0u, nine, 9) ^ ~0u) == 0xE3069283u, "crc32c check value");
    unsigned char *buffer = malloc(4096);
    for (int round = 0; round < 2000; round++) {
        size_t offset = next_random() % 16, length = next_random() % (4096 - 16);
        for (size_t i = 0; i < offset + length; i++) buffer[i] = (unsigned char)next_random();
        // An exact-size copy: a read past the end is caught by the sanitizer.
        unsigned char *exact = malloc(length ? length : 1);
        memcpy(exact, buffer + offset, length);
        CHECK(idgate_crc32c_hardware(~0u, exact, length) == crc32c_reference(~0u, exact, length),
              "crc32c length %zu", length);
        free(exact);
    }
    free(buffer);
}

static void hex(const uint8_t *digest, char *out) {
    for (int i = 0; i < 32; i++) sprintf(out + 2 * i, "%02x", digest[i]);
}

static void check_sha256(void) {
    uint8_t digest[IDGATE_SHA256_DIGEST_LENGTH];
    char text[65];
    idgate_sha256("abc", 3, digest);
    hex(digest, text);
    CHECK(strcmp(text, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0, "sha256(abc) %s", text);
    // RFC 4231 test case 2.
    idgate_hmac_sha256_key key;
    idgate_hmac_sha256_init_key(&key, "Jefe", 4);
    const char *message = "what do ya want for nothing?";
    idgate_hmac_sha256(&key, message, strlen(message), digest);
    hex(digest, text);
    CHECK(strcmp(text, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843") == 0, "hmac %s", text);
    // Both implementations agree on exact-size messages of every length up to 300, fed whole and in pieces.
    for (size_t length = 0; length <= 300; length++) {
        unsigned char *message = malloc(length ? length : 1);
        for (size_t i = 0; i < length; i++) message[i] = (unsigned char)next_random();
        uint8_t fast[32], portable[32], pieces[32];
        idgate_sha256_force_portable(0);
        idgate_sha256(message, length, fast);
        idgate_sha256_force_portable(1);
        idgate_sha256(message, length, portable);
        idgate_sha256_force_portable(0);
        idgate_sha256_ctx context;
        idgate_sha256_init(&context);
        for (size_t done = 0; done < length;) {
            size_t step = 1 + next_random() % 70;
            if (step > length - done) step = length - done;
            idgate_sha256_update(&context, message + done, step);
            done += step;
        }
        idgate_sha256_final(&context, pieces);
        CHECK(memcmp(fast, portable, 32) == 0 && memcmp(fast, pieces, 32) == 0, "sha256 length %zu", length);
        free(message);
    }
}

#define SLOTS 4096
static void *slots[SLOTS];
static size_t sizes[SLOTS];

static void fill(void *block, size_t size, unsigned char value) { memset(block, value, size); }

static int intact(const void *block, size_t size, unsigned char value) {
    const unsigned char *p = block;
    for (size_t i = 0; i < size; i++) if (p[i] != value) return 0;
    return 1;
}

static void *free_on_other_thread(void *argument) {
    void **blocks = argument;
    for (int i = 0; i < 256; i++) idgate_pool_free(blocks[i], NULL);
    return NULL;
}

static void check_block_pool(void) {
    for (int round = 0; round < 200000; round++) {
        int slot = (int)(next_random() % SLOTS);
        if (slots[slot]) {
            CHECK(intact(slots[slot], sizes[slot], (unsigned char)slot), "pool block %d overwritten", slot);
            if (next_random() % 4 == 0) {
                size_t size = next_random() % 1200;
                slots[slot] = idgate_pool_realloc(slots[slot], size, NULL);
                size_t kept = size < sizes[slot] ? size : sizes[slot];
                CHECK(intact(slots[slot], kept, (unsigned char)slot), "pool realloc lost bytes");
                sizes[slot] = size;
                fill(slots[slot], size, (unsigned char)slot);
            } else {
                idgate_pool_free(slots[slot], NULL);
                slots[slot] = NULL;
            }
        } else {
            size_t size = next_random() % 1200;
            if (next_random() % 3 == 0) {
                slots[slot] = idgate_pool_calloc(1, size, NULL);
                CHECK(intact(slots[slot], size, 0), "pool calloc not zeroed");
            } else {
                slots[slot] = idgate_pool_malloc(size, NULL);
            }
            sizes[slot] = size;
            fill(slots[slot], size, (unsigned char)slot);
        }
    }
    for (int slot = 0; slot < SLOTS; slot++) if (slots[slot]) idgate_pool_free(slots[slot], NULL);
    CHECK(idgate_pool_cached_bytes() <= (8u << 20), "pool caches %zu bytes", idgate_pool_cached_bytes());
    // Blocks freed on another thread join that thread's lists (and are released when it exits).
    void *blocks[256];
    for (int i = 0; i < 256; i++) { blocks[i] = idgate_pool_malloc(16 + (size_t)i, NULL); fill(blocks[i], 16 + (size_t)i, 1); }
    pthread_t thread;
    pthread_create(&thread, NULL, free_on_other_thread, blocks);
    pthread_join(thread, NULL);
}

int main(void) {
    check_crc32c();
    check_sha256();
    check_block_pool();
    if (failures) { fprintf(stderr, "c helpers: %d failures\n", failures); return 1; }
    printf("c helpers: CRC-32C, SHA-256/HMAC (%s and portable), block pool: all checks passed\n", idgate_sha256_implementation());
    return 0;
}
