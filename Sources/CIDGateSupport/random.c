// Random bytes from the kernel's CSPRNG without a user-space lock shared between threads.
#include "CIDGateSupport.h"

#include <errno.h>
#if defined(__linux__)
#include <sys/random.h>
#endif

int idgate_random_bytes(void *buffer, size_t count) {
#if defined(__linux__)
    size_t filled = 0;
    while (filled < count) {
        ssize_t got = getrandom((char *)buffer + filled, count - filled, 0);
        if (got > 0) {
            filled += (size_t)got;
        } else if (got < 0 && errno != EINTR) {
            return 0;
        }
    }
    return 1;
#else
    (void)buffer;
    (void)count;
    return 0;
#endif
}
