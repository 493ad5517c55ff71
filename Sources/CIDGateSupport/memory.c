// Giving freed heap memory back to the system (glibc keeps it in its arenas otherwise).
#include "CIDGateSupport.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

int idgate_malloc_trim(void) {
#if defined(__GLIBC__)
    return malloc_trim(0);
#else
    return 0;
#endif
}
