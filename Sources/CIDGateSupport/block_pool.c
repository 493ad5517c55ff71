// Thread-local free lists of small blocks, used as nghttp2's allocator (nghttp2_mem).
//
// Why: an event loop submits hundreds of responses in one tick (answers released together after their audit
// commit), and nghttp2 allocates an outbound item, a header copy and frame buffers for each, then frees them as the
// frames leave. glibc keeps only 7 blocks per size in its thread cache, so such bursts run malloc's slow paths
// (unsorted-bin sorting, chunk unlinking): 0.3-0.5 µs per request in the profile. Here a freed block of up to 512
// bytes goes onto this thread's list for its 16-byte size class and is handed out again in a few instructions.
// Cached memory per thread is bounded (IDGATE_POOL_MAX_CACHED_BYTES); beyond it blocks go back to malloc. A block
// may be freed on another thread than the one that allocated it: it then joins that thread's lists, which is safe
// because every list is only touched by its own thread.
#include "CIDGateSupport.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define IDGATE_POOL_GRANULE 16
#define IDGATE_POOL_CLASSES 32                     // blocks of up to 512 bytes are pooled
#define IDGATE_POOL_HEADER 16                      // keeps the 16-byte alignment malloc gives
#define IDGATE_POOL_MAX_CACHED_BYTES (8u << 20)

// The header in front of every block: its usable size, and its size class (0: not pooled).
typedef struct {
    size_t capacity;
    size_t size_class;
} block_header;

typedef struct free_block {
    block_header header;
    struct free_block *next;
} free_block;

typedef struct {
    free_block *lists[IDGATE_POOL_CLASSES + 1];
    size_t cached_bytes;
} thread_pool;

static __thread thread_pool pool;
static __thread int pool_registered;
static pthread_key_t pool_key;
static pthread_once_t pool_key_once = PTHREAD_ONCE_INIT;

// Returns a thread's cached blocks to malloc when it exits (test servers start and stop many loop threads).
static void release_pool(void *unused) {
    (void)unused;
    for (size_t index = 1; index <= IDGATE_POOL_CLASSES; index++) {
        free_block *block = pool.lists[index];
        while (block) {
            free_block *next = block->next;
            free(block);
            block = next;
        }
        pool.lists[index] = NULL;
    }
    pool.cached_bytes = 0;
    // A block freed by a later thread-exit destructor registers again, so this runs once more for it.
    pool_registered = 0;
}

static void make_pool_key(void) { pthread_key_create(&pool_key, release_pool); }

static void register_pool(void) {
    pthread_once(&pool_key_once, make_pool_key);
    pthread_setspecific(pool_key, &pool);
    pool_registered = 1;
}

void *idgate_pool_malloc(size_t size, void *unused) {
    (void)unused;
    size_t size_class = size == 0 ? 1 : (size + IDGATE_POOL_GRANULE - 1) / IDGATE_POOL_GRANULE;
    if (size_class <= IDGATE_POOL_CLASSES) {
        free_block *block = pool.lists[size_class];
        if (block) {
            pool.lists[size_class] = block->next;
            pool.cached_bytes -= IDGATE_POOL_HEADER + block->header.capacity;
            return (unsigned char *)block + IDGATE_POOL_HEADER;
        }
        if (!pool_registered) register_pool();
        size_t capacity = size_class * IDGATE_POOL_GRANULE;
        block_header *header = malloc(IDGATE_POOL_HEADER + capacity);
        if (!header) return NULL;
        header->capacity = capacity;
        header->size_class = size_class;
        return (unsigned char *)header + IDGATE_POOL_HEADER;
    }
    if (size > SIZE_MAX - IDGATE_POOL_HEADER) return NULL;
    block_header *header = malloc(IDGATE_POOL_HEADER + size);
    if (!header) return NULL;
    header->capacity = size;
    header->size_class = 0;
    return (unsigned char *)header + IDGATE_POOL_HEADER;
}

void idgate_pool_free(void *pointer, void *unused) {
    (void)unused;
    if (!pointer) return;
    free_block *block = (free_block *)((unsigned char *)pointer - IDGATE_POOL_HEADER);
    size_t size_class = block->header.size_class;
    size_t bytes = IDGATE_POOL_HEADER + block->header.capacity;
    if (size_class == 0 || pool.cached_bytes + bytes > IDGATE_POOL_MAX_CACHED_BYTES) {
        free(block);
        return;
    }
    if (!pool_registered) register_pool();
    block->next = pool.lists[size_class];
    pool.lists[size_class] = block;
    pool.cached_bytes += bytes;
}

void *idgate_pool_calloc(size_t count, size_t size, void *unused) {
    if (size != 0 && count > SIZE_MAX / size) return NULL;
    void *pointer = idgate_pool_malloc(count * size, unused);
    if (pointer) memset(pointer, 0, count * size);
    return pointer;
}

void *idgate_pool_realloc(void *pointer, size_t size, void *unused) {
    if (!pointer) return idgate_pool_malloc(size, unused);
    block_header *header = (block_header *)((unsigned char *)pointer - IDGATE_POOL_HEADER);
    if (size <= header->capacity) return pointer;
    if (header->size_class == 0) {
        if (size > SIZE_MAX - IDGATE_POOL_HEADER) return NULL;
        block_header *grown = realloc(header, IDGATE_POOL_HEADER + size);
        if (!grown) return NULL;
        grown->capacity = size;
        return (unsigned char *)grown + IDGATE_POOL_HEADER;
    }
    void *moved = idgate_pool_malloc(size, unused);
    if (!moved) return NULL;
    memcpy(moved, pointer, header->capacity);
    idgate_pool_free(pointer, unused);
    return moved;
}

size_t idgate_pool_cached_bytes(void) { return pool.cached_bytes; }
