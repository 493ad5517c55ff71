// Cold LMDB point lookups (scripts/bench-cold-lookup.sh): the IDs of a sample.ndjson looked up in a scrambled order
// with plain mdb_get, the environment opened with or without MDB_NORDAHEAD; prints the rate and latency percentiles.
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <time.h>
static int cmp(const void *a, const void *b) { double x = *(double*)a, y = *(double*)b; return x < y ? -1 : x > y; }
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e3 + t.tv_nsec / 1e6; }
int main(int argc, char **argv) {
    if (argc < 5) { fprintf(stderr, "usage: gen-dir sample.ndjson count nordahead(0/1)\n"); return 2; }
    int count = atoi(argv[3]), nord = atoi(argv[4]);
    uint64_t *ids = malloc(sizeof(uint64_t) * count); int n = 0;
    FILE *f = fopen(argv[2], "r"); char line[8192];
    while (n < count && fgets(line, sizeof line, f)) { char *p = strstr(line, "\"idNumber\":\""); if (!p) continue; ids[n++] = strtoull(p + 12, 0, 10); }
    // spread: take them in a scrambled order
    for (int i = n - 1; i > 0; i--) { int j = (int)((i * 2654435761u) % (unsigned)(i + 1)); uint64_t t = ids[i]; ids[i] = ids[j]; ids[j] = t; }
    MDB_env *env; mdb_env_create(&env); mdb_env_set_maxdbs(env, 16); mdb_env_set_mapsize(env, 1ULL << 38);
    int rc = mdb_env_open(env, argv[1], MDB_RDONLY | MDB_NOTLS | (nord ? MDB_NORDAHEAD : 0), 0600);
    if (rc) { fprintf(stderr, "open: %s\n", mdb_strerror(rc)); return 1; }
    MDB_txn *txn; mdb_txn_begin(env, 0, MDB_RDONLY, &txn); MDB_dbi dbi; mdb_dbi_open(txn, "residents", 0, &dbi);
    double *lat = malloc(sizeof(double) * n); int found = 0; volatile unsigned sum = 0;
    double start = now();
    for (int i = 0; i < n; i++) {
        uint64_t be = __builtin_bswap64(ids[i]); MDB_val k = {8, &be}, v;
        double t0 = now(); if (mdb_get(txn, dbi, &k, &v) == 0) { found++; sum += ((unsigned char*)v.mv_data)[v.mv_size - 1]; } lat[i] = now() - t0;
    }
    double total = now() - start;
    qsort(lat, n, sizeof(double), cmp);
    printf("nordahead=%d lookups=%d found=%d total=%.0f ms rate=%.0f/s p50=%.3f p90=%.3f p99=%.3f max=%.1f ms\n", nord, n, found, total, n / total * 1e3,
           lat[n / 2], lat[n * 9 / 10], lat[n * 99 / 100], lat[n - 1]);
    return 0;
}
