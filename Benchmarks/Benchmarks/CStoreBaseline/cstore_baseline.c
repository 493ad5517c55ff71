#include "cstore_baseline.h"

#include <lmdb.h>
#include <stdlib.h>
#include <string.h>

struct cstore_baseline {
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi residents;
};

cstore_baseline *cstore_baseline_open(const char *generation_path) {
    cstore_baseline *store = calloc(1, sizeof *store);
    if (!store) return NULL;
    if (mdb_env_create(&store->env) != 0) goto fail;
    mdb_env_set_maxdbs(store->env, 4);
    mdb_env_set_maxreaders(store->env, 1024);
    mdb_env_set_mapsize(store->env, (size_t)1 << 38);
    if (mdb_env_open(store->env, generation_path, MDB_RDONLY | MDB_NOTLS, 0644) != 0) goto fail;
    if (mdb_txn_begin(store->env, NULL, MDB_RDONLY, &store->txn) != 0) goto fail;
    if (mdb_dbi_open(store->txn, "residents", 0, &store->residents) != 0) goto fail;
    return store;
fail:
    if (store->env) mdb_env_close(store->env);
    free(store);
    return NULL;
}

uint64_t cstore_baseline_lookup(cstore_baseline *store, const uint64_t *ids, size_t count) {
    uint64_t result = 0;
    for (size_t i = 0; i < count; i++) {
        unsigned char keybytes[8];
        uint64_t id = ids[i];
        for (int b = 7; b >= 0; b--) {
            keybytes[b] = (unsigned char)(id & 0xFF);
            id >>= 8;
        }
        MDB_val key = {8, keybytes};
        MDB_val value;
        if (mdb_get(store->txn, store->residents, &key, &value) == 0) {
            uint32_t dateOfBirth;
            memcpy(&dateOfBirth, (const char *)value.mv_data + 8, 4);
            result += 1 + (dateOfBirth >> 16 & 1);
        }
    }
    return result;
}
