// CRC-32C with the processor's own instruction where there is one (SSE 4.2 on x86-64, the
// CRC extension on AArch64). Swift cannot reach these instructions, so this one function is C.
#ifndef COLONY_CRC32C_H
#define COLONY_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/// Whether this processor has a CRC-32C instruction `colony_crc32c_update` can use.
int colony_crc32c_hardware_available(void);

/// Continues a CRC-32C over `count` bytes from the raw (not inverted) state `crc`; call only
/// when `colony_crc32c_hardware_available()` returned 1.
uint32_t colony_crc32c_update(uint32_t crc, const uint8_t *bytes, size_t count);

#endif
