// SPDX-License-Identifier: GPL-2.0-only
// riscv64: the generic rounds with the four Zknh sigma instructions (sha256sum0/1, sha256sig0/1),
// and the probe that runs each of them once under a trap vector of its own. Both live in
// .styx.simd, the code the post-link check keeps apart.
#include "sha256-ops-riscv64.h"

namespace styx {
namespace {

// The instructions read bits 31:0 of rs1 and write the 32-bit result sign-extended, which is how
// RV64 keeps every 32-bit value in a register: no extension is needed either way.
#define STYX_ZKNH(insn)                                                          \
  static uint32_t insn(uint32_t x) {                                             \
    uint32_t r;                                                                  \
    asm(".option push\n\t.option arch, +zknh\n\t" #insn " %0, %1\n\t.option pop" \
        : "=r"(r)                                                                \
        : "r"(x));                                                               \
    return r;                                                                    \
  }

struct ZknhOps : Riscv64Sha256Ops {
  STYX_ZKNH(sha256sum0)
  STYX_ZKNH(sha256sum1)
  STYX_ZKNH(sha256sig0)
  STYX_ZKNH(sha256sig1)
  static uint32_t S0(uint32_t x) { return sha256sum0(x); }
  static uint32_t S1(uint32_t x) { return sha256sum1(x); }
  static uint32_t s0(uint32_t x) { return sha256sig0(x); }
  static uint32_t s1(uint32_t x) { return sha256sig1(x); }
};

#undef STYX_ZKNH

}  // namespace
}  // namespace styx

extern "C" [[gnu::section(".styx.simd"), gnu::flatten]] void styx_sha256_blocks_zknh(
    uint32_t state[8], const uint8_t* data, size_t blocks) {
  styx::sha256_rounds<styx::ZknhOps>(state, data, blocks);
}
