// SPDX-License-Identifier: GPL-2.0-only
// The arch-neutral choices of operations for sha256_rounds() (sha256-rounds.h). An ISA picks one
// in arch/<isa>/purgatory/sha256-generic.cc, or derives its own there; without that file it gets
// Sha256Ops. Every choice is unit tested on the host against Sha256Ops.
#pragma once

#include "sha256-rounds.h"

namespace styx {

/// For ISAs whose rotate writes a third register: each sigma is three rotates and two XORs.
struct Sha256Ops {
  static constexpr bool kConstantsFromTable = false;
  /// With kConstantsFromTable: read as 64-bit pairs (little-endian ISAs only).
  static constexpr bool kConstantsWide = false;

  static uint32_t add_k(uint32_t x, uint32_t k) { return x + k; }
  static uint32_t add_k(uint32_t x, Sha256UpperK k) { return x + uint32_t(k.pair >> 32); }

  static uint32_t ror(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }
  static uint32_t S0(uint32_t x) { return ror(x, 2) ^ ror(x, 13) ^ ror(x, 22); }
  static uint32_t S1(uint32_t x) { return ror(x, 6) ^ ror(x, 11) ^ ror(x, 25); }
  static uint32_t s0(uint32_t x) { return ror(x, 7) ^ ror(x, 18) ^ (x >> 3); }
  static uint32_t s1(uint32_t x) { return ror(x, 17) ^ ror(x, 19) ^ (x >> 10); }

  // __builtin_bswap32 is one instruction where the ISA has a byte reverse; where it has none it
  // becomes a libgcc call, which the purgatory does not link, and the ISA needs its own load.
  static uint32_t load_be32_aligned(const uint8_t* p) {
    uint32_t w;
    __builtin_memcpy(&w, __builtin_assume_aligned(p, 4), 4);
    if constexpr (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__) w = __builtin_bswap32(w);
    return w;
  }
};

/// For ISAs that rotate in place (x86_64 ROR, s390x's two-operand XOR): the rotates are nested,
/// ror(ror(ror(x, 14) ^ x, 5) ^ x, 6) == S1(x), so each sigma needs one copy of x instead of three.
struct Sha256NestedOps : Sha256Ops {
  static uint32_t S0(uint32_t x) { return ror(ror(ror(x, 9) ^ x, 11) ^ x, 2); }
  static uint32_t S1(uint32_t x) { return ror(ror(ror(x, 14) ^ x, 5) ^ x, 6); }
  static uint32_t s0(uint32_t x) { return ror(ror(x, 11) ^ x, 7) ^ (x >> 3); }
  static uint32_t s1(uint32_t x) { return ror(ror(x, 2) ^ x, 17) ^ (x >> 10); }
};

/// Sha256Ops with the round constants loaded from the table (see sha256_rounds()).
struct Sha256TableOps : Sha256Ops {
  static constexpr bool kConstantsFromTable = true;
};

/// Sha256TableOps reading four constants per load pair (see STYX_SHA256_ROUNDS4_WIDE).
struct Sha256WideTableOps : Sha256TableOps {
  static constexpr bool kConstantsWide = true;
};

}  // namespace styx
