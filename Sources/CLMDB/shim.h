#ifndef IDGATE_CLMDB_SHIM_H
#define IDGATE_CLMDB_SHIM_H
#include <lmdb.h>
#endif
