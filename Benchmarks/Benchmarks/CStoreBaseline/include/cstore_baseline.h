#ifndef CSTORE_BASELINE_H
#define CSTORE_BASELINE_H

#include <stddef.h>
#include <stdint.h>

/// The plain-C yardstick for registry lookups: an LMDB environment opened read-only, one read transaction, and a
/// loop of mdb_get calls on the `residents` database with 8-byte big-endian keys, as the Swift store lays them out.
typedef struct cstore_baseline cstore_baseline;

/// Opens the registry generation directory (e.g. `DIR/current`); NULL on failure.
cstore_baseline *cstore_baseline_open(const char *generation_path);

/// Looks up `count` ID numbers; for each found record reads its date-of-birth word. Returns how many were found
/// (plus the read bytes folded in, so the compiler cannot drop the reads).
uint64_t cstore_baseline_lookup(cstore_baseline *store, const uint64_t *ids, size_t count);

#endif
