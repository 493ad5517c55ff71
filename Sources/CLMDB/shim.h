#ifndef IDGATE_CLMDB_SHIM_H
#define IDGATE_CLMDB_SHIM_H
#include <lmdb.h>

/// Asks the CPU to start loading the cache line at `address`. The importer decodes rows in key order, not file
/// order, and prefetches the rows a few places ahead so that their cache misses overlap the decoding.
static inline void idgate_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }

#endif
