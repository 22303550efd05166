// SPDX-License-Identifier: GPL-2.0-only
// SHA-256 operations for RV64 without Zbb (no rotate, no byte reverse). A 32-bit rotate is three
// instructions there, but a 64-bit register holding x twice (x:x) yields ror32(x, n) as the low
// half of one logical right shift, so each sigma costs one doubling (three instructions) plus a
// shift per term. Host-compilable C++, so the unit tests check it on every build.
#pragma once

#include "sha256-ops.h"

namespace styx {

struct Riscv64Sha256Ops : Sha256Ops {
  // LUI + ADDIW per constant otherwise.
  static constexpr bool kConstantsFromTable = true;

  static uint64_t doubled(uint32_t x) {
    uint64_t high = uint64_t{x} << 32;
    // Without the barrier GCC zero-extends x separately (SLLI + SRLI) and shifts it again.
    asm("" : "+r"(high));
    return high | (high >> 32);
  }
  static uint32_t S0(uint32_t x) {
    const uint64_t d = doubled(x);
    return static_cast<uint32_t>((d >> 2) ^ (d >> 13) ^ (d >> 22));
  }
  static uint32_t S1(uint32_t x) {
    const uint64_t d = doubled(x);
    return static_cast<uint32_t>((d >> 6) ^ (d >> 11) ^ (d >> 25));
  }
  static uint32_t s0(uint32_t x) {
    const uint64_t d = doubled(x);
    return static_cast<uint32_t>((d >> 7) ^ (d >> 18)) ^ (x >> 3);
  }
  static uint32_t s1(uint32_t x) {
    const uint64_t d = doubled(x);
    return static_cast<uint32_t>((d >> 17) ^ (d >> 19)) ^ (x >> 10);
  }
  // No byte reverse: four byte loads cost no more than a word load and a shift-and-mask swap.
  static uint32_t load_be32_aligned(const uint8_t* p) { return sha256_detail::load_be32_bytes(p); }
};

}  // namespace styx
