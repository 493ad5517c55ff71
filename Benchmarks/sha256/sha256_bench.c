// Nanoseconds per SHA-256 / HMAC-SHA256 of short messages (the sizes the gateway hashes per request): CIDGateSupport's
// SHA-256 on the CPU's SHA instructions and on its portable block function, against OpenSSL's SHA256() and the
// SHA256_Init/Update/Final path it replaces. Not part of any target; build and run by hand:
//
//   gcc -std=c11 -O2 -Wall -Wextra -ISources/CIDGateSupport/include Benchmarks/sha256/sha256_bench.c
//       Sources/CIDGateSupport/sha256.c -lcrypto -o /tmp/sha256_bench && /tmp/sha256_bench
//
// Each figure is the fastest of 15 runs of a dependent chain (each message starts with the previous digest), so
// the compiler cannot drop or overlap the calls. Timed in thread CPU time: on a busy machine, time spent
// descheduled does not count (sharing caches and cores with other work still does).
#define _POSIX_C_SOURCE 199309L
#define OPENSSL_SUPPRESS_DEPRECATED  // SHA256() and SHA256_Init are what this measures against
#include "idgate_sha256.h"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum { RUNS = 15, ITERATIONS = 100000 };

typedef void (*hash_function)(const uint8_t *message, size_t length, uint8_t digest[32]);

static idgate_hmac_sha256_key idgate_key;
static SHA256_CTX openssl_inner, openssl_outer;

static void hash_idgate(const uint8_t *message, size_t length, uint8_t digest[32]) {
    idgate_sha256(message, length, digest);
}

static void hash_openssl_oneshot(const uint8_t *message, size_t length, uint8_t digest[32]) {
    SHA256(message, length, digest);
}

static void hash_openssl_context(const uint8_t *message, size_t length, uint8_t digest[32]) {
    SHA256_CTX context;
    SHA256_Init(&context);
    SHA256_Update(&context, message, length);
    SHA256_Final(digest, &context);
}

static void hash_openssl_evp(const uint8_t *message, size_t length, uint8_t digest[32]) {
    EVP_Digest(message, length, digest, NULL, EVP_sha256(), NULL);
}

static void hmac_idgate(const uint8_t *message, size_t length, uint8_t digest[32]) {
    idgate_hmac_sha256(&idgate_key, message, length, digest);
}

// The gateway's KeyedSHA256 today: copy the keyed SHA256_CTX values, update, final.
static void hmac_openssl_context(const uint8_t *message, size_t length, uint8_t digest[32]) {
    SHA256_CTX context = openssl_inner;
    uint8_t inner[32];
    SHA256_Update(&context, message, length);
    SHA256_Final(inner, &context);
    context = openssl_outer;
    SHA256_Update(&context, inner, 32);
    SHA256_Final(digest, &context);
}

static double nanoseconds_per_call(hash_function function, size_t length) {
    uint8_t message[512];
    uint8_t digest[32] = {0};
    for (size_t i = 0; i < sizeof message; i++) message[i] = (uint8_t)(i * 7 + 1);
    double best = 1e30;
    for (int run = 0; run < RUNS; run++) {
        struct timespec start, end;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &start);
        for (int i = 0; i < ITERATIONS; i++) {
            memcpy(message, digest, length < 32 ? length : 32);
            function(message, length, digest);
        }
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &end);
        double elapsed = (double)(end.tv_sec - start.tv_sec) * 1e9 + (double)(end.tv_nsec - start.tv_nsec);
        if (elapsed / ITERATIONS < best) best = elapsed / ITERATIONS;
    }
    return best;
}

int main(void) {
    static const size_t lengths[] = {32, 65, 120, 300};
    uint8_t key[32];
    for (size_t i = 0; i < sizeof key; i++) key[i] = (uint8_t)(0xa5 ^ i);
    idgate_hmac_sha256_init_key(&idgate_key, key, sizeof key);
    uint8_t block[64] = {0};
    memcpy(block, key, sizeof key);
    for (int i = 0; i < 64; i++) block[i] ^= 0x36;
    SHA256_Init(&openssl_inner);
    SHA256_Update(&openssl_inner, block, 64);
    for (int i = 0; i < 64; i++) block[i] ^= 0x36 ^ 0x5c;
    SHA256_Init(&openssl_outer);
    SHA256_Update(&openssl_outer, block, 64);

    printf("CPU block function: %s\n", idgate_sha256_implementation());
    printf("%-36s", "ns per call, message bytes:");
    for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++) printf("%8zu", lengths[i]);
    printf("\n");

    struct {
        const char *name;
        hash_function function;
        int portable;
    } rows[] = {
        {"idgate_sha256 (CPU instructions)", hash_idgate, 0},
        {"idgate_sha256 (portable C)", hash_idgate, 1},
        {"OpenSSL SHA256()", hash_openssl_oneshot, 0},
        {"OpenSSL SHA256_Init/Update/Final", hash_openssl_context, 0},
        {"OpenSSL EVP_Digest", hash_openssl_evp, 0},
        {"idgate_hmac_sha256 (CPU)", hmac_idgate, 0},
        {"idgate_hmac_sha256 (portable C)", hmac_idgate, 1},
        {"OpenSSL HMAC on copied SHA256_CTX", hmac_openssl_context, 0},
    };
    for (size_t row = 0; row < sizeof rows / sizeof rows[0]; row++) {
        idgate_sha256_force_portable(rows[row].portable);
        printf("%-36s", rows[row].name);
        for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
            printf("%8.1f", nanoseconds_per_call(rows[row].function, lengths[i]));
            fflush(stdout);
        }
        printf("\n");
    }
    idgate_sha256_force_portable(0);
    return 0;
}
