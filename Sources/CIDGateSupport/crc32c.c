// CRC-32C with the SSE4.2 CRC32 instruction: the audit writer checksums every record, and the table-driven
// Swift version was a tenth of the writer's time. Compiled for the instruction only inside these functions;
// callers check availability first.
#include "CIDGateSupport.h"
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>

int idgate_crc32c_hardware_available(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    return (ecx & bit_SSE4_2) != 0;
}

__attribute__((target("sse4.2")))
uint32_t idgate_crc32c_hardware(uint32_t crc, const void *bytes, size_t count) {
    const unsigned char *p = bytes;
    uint64_t value = crc;
    while (count >= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        value = __builtin_ia32_crc32di(value, word);
        p += 8;
        count -= 8;
    }
    uint32_t result = (uint32_t)value;
    while (count > 0) {
        result = __builtin_ia32_crc32qi(result, *p);
        p += 1;
        count -= 1;
    }
    return result;
}
#else
int idgate_crc32c_hardware_available(void) { return 0; }
uint32_t idgate_crc32c_hardware(uint32_t crc, const void *bytes, size_t count) {
    (void)bytes; (void)count;
    return crc;
}
#endif
