#ifndef IDGATE_CIDGATESUPPORT_H
#define IDGATE_CIDGATESUPPORT_H
#include <stddef.h>
#include <stdint.h>

/// True when the CPU has the SSE4.2 CRC32 instruction (x86-64); false elsewhere.
int idgate_crc32c_hardware_available(void);

/// Continues CRC-32C (Castagnoli) `crc` over `count` bytes with the CPU's CRC32 instruction: raw register value
/// in and out (the caller applies the initial and final inversion). Call only when
/// `idgate_crc32c_hardware_available()`.
uint32_t idgate_crc32c_hardware(uint32_t crc, const void *bytes, size_t count);

#endif
