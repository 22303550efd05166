// SPDX-License-Identifier: GPL-2.0-only
// arm64: the ARMv8 SHA2 instructions (sha256-hardware-ce.S) when ID_AA64ISAR0_EL1 says this CPU
// has them. kexec enters at EL1, or at EL2 on hosts that boot Linux there (KVM): FP/SIMD access
// is enabled for the level the purgatory runs at before any SIMD instruction executes. The feature
// register could lie (a hypervisor's, or a CPU erratum): the routine first hashes one known block
// under the purgatory's own exception vector (sha256-hardware-catch.S), so that an undefined
// instruction costs the choice of routine, never the verification.
#include "arch.h"

extern "C" void styx_sha256_blocks_armv8_ce(uint32_t state[8], const uint8_t* data, size_t blocks);
extern "C" int styx_arm64_call_catching(uint8_t area[4096], styx::Sha256Blocks fn,
                                        uint32_t state[8], const uint8_t* data, size_t blocks,
                                        uint64_t* esr);

namespace styx::arch {
namespace {

uint64_t current_el() {
  uint64_t v;
  asm volatile("mrs %0, CurrentEL" : "=r"(v));
  return (v >> 2) & 3;
}

// At EL1 CPACR_EL1.FPEN (bits 21:20) must be 0b11. At EL2 the trap is CPTR_EL2's: TFP (bit 10)
// when HCR_EL2.E2H is 0, FPEN (bits 21:20, CPACR_EL1's layout) when it is 1 (VHE).
bool enable_fp_simd(uint64_t el) {
  constexpr uint64_t kFpen = 3ull << 20, kTfp = 1ull << 10, kE2h = 1ull << 34;
  uint64_t v;
  if (el == 1) {
    asm volatile("mrs %0, cpacr_el1" : "=r"(v));
    asm volatile("msr cpacr_el1, %0\n\tisb" : : "r"(v | kFpen) : "memory");
    return true;
  }
  if (el == 2) {
    uint64_t hcr;
    asm volatile("mrs %0, hcr_el2" : "=r"(hcr));
    asm volatile("mrs %0, cptr_el2" : "=r"(v));
    v = (hcr & kE2h) ? (v | kFpen) : (v & ~kTfp);
    asm volatile("msr cptr_el2, %0\n\tisb" : : "r"(v) : "memory");
    return true;
  }
  return false;
}

// Room for the 2 KiB-aligned exception table wherever the purgatory was loaded.
uint8_t vector_area[4096];

bool known_answer_matches(Sha256Blocks blocks, uint64_t* esr, bool* trapped) {
  uint8_t block[kSha256BlockSize];
  uint32_t state[8];
  sha256_known_answer_input(block, state);
  *trapped = styx_arm64_call_catching(vector_area, blocks, state, block, 1, esr) != 0;
  return !*trapped && sha256_known_answer_ok(state);
}

}  // namespace

Sha256Hardware sha256_hardware() {
  Sha256Hardware hw{.name = "armv8-ce"};
  uint64_t isar0;
  asm volatile("mrs %0, id_aa64isar0_el1" : "=r"(isar0));
  // ID_AA64ISAR0_EL1.SHA2, bits 15:12: 1 = SHA256H/H2/SU0/SU1, 2 = those and SHA-512.
  if (((isar0 >> 12) & 0xf) == 0) {
    hw.why_not = "ID_AA64ISAR0_EL1.SHA2 is 0";
    return hw;
  }
  if (!enable_fp_simd(current_el())) {
    hw.why_not = "not entered at EL1 or EL2";
    return hw;
  }
  uint64_t esr = 0;
  bool trapped = false;
  if (!known_answer_matches(styx_sha256_blocks_armv8_ce, &esr, &trapped)) {
    // ESR_ELx.EC (bits 31:26): 0x00 is an undefined instruction, 0x07 FP/SIMD access trapped.
    const uint64_t ec = (esr >> 26) & 0x3f;
    hw.why_not = !trapped  ? "the known-answer block gives a wrong digest"
                 : ec == 0 ? "ID_AA64ISAR0_EL1 claims SHA2, but its instructions are undefined"
                 : ec == 7 ? "FP/SIMD access still traps after it was enabled"
                           : "the known-answer block took an exception";
    return hw;
  }
  hw.blocks = styx_sha256_blocks_armv8_ce;
  return hw;
}

}  // namespace styx::arch
