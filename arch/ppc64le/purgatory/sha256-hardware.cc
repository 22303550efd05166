// SPDX-License-Identifier: GPL-2.0-only
// ppc64le: the POWER8 vector crypto instructions (sha256-hardware-p8.S) on the processors whose
// version (PVR) says they implement ISA 2.07 or later. There is no feature register to ask
// short of the device tree, which the purgatory does not parse; the PVR is readable in every
// privileged state and never traps.
#include "arch.h"

extern "C" void styx_sha256_blocks_power8(uint32_t state[8], const uint8_t* data, size_t blocks);

namespace styx::arch {
namespace {

// PVR version fields (bits 0:15) of the server processors with vshasigmaw: POWER8E, POWER8NVL,
// POWER8, POWER9, POWER10, POWER11 (as Linux's cputable and QEMU's cpu-models list them). An
// allow-list, since versions are not ordered by capability (0x0070 is Cell, 0x0090 PA6T).
constexpr uint32_t kVectorCryptoVersions[] = {0x004b, 0x004c, 0x004d, 0x004e, 0x0080, 0x0082};

}  // namespace

Sha256Hardware sha256_hardware() {
  Sha256Hardware hw{.name = "power8-crypto"};
  uint64_t pvr;
  asm volatile("mfpvr %0" : "=r"(pvr));
  const uint32_t version = static_cast<uint32_t>(pvr >> 16) & 0xffff;
  for (uint32_t v : kVectorCryptoVersions) {
    if (v == version) {
      // The routine enables MSR[VEC] and MSR[VSX] itself while it runs.
      hw.blocks = styx_sha256_blocks_power8;
      return hw;
    }
  }
  hw.why_not = "the PVR names no POWER8 or later processor";
  return hw;
}

}  // namespace styx::arch
