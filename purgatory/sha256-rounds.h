// SPDX-License-Identifier: GPL-2.0-only
// The SHA-256 compression (FIPS 180-4, 6.2.2) as a template over the handful of operations whose
// best form depends on the ISA: Ops supplies the four sigma functions, the big-endian word load
// and where the round constants come from (see sha256-ops.h). Rounds are fully unrolled, the
// working variables are renamed instead of shifted, and the message schedule is a rolling
// 16-word window, so every ISA with enough registers keeps the whole block in them.
#pragma once

#include "sha256.h"

namespace styx {

// Aligned for the ISAs that read the constants four at a time (Ops::kConstantsWide).
alignas(16) inline constexpr uint32_t kSha256K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/// The upper of the two round constants in a 64-bit pair (Ops::kConstantsWide).
struct Sha256UpperK {
  uint64_t pair;
};

namespace sha256_detail {

inline uint32_t load_be32_bytes(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

inline uint32_t ch(uint32_t e, uint32_t f, uint32_t g) {
  return g ^ (e & (f ^ g));
}

}  // namespace sha256_detail

// One round; Ops::add_k() adds the round constant `kc`, a word or the upper half of a pair.
// Maj(a, b, c) is computed as b ^ ((a ^ b) & (b ^ c)), where b ^ c is the previous round's a ^ b,
// carried in `bc`.
#define STYX_SHA256_ROUND(a, b, c, d, e, f, g, h, kc, w)                                 \
  do {                                                                                   \
    const uint32_t t1 = Ops::add_k(h + Ops::S1(e) + sha256_detail::ch(e, f, g) + w, kc); \
    const uint32_t ab = a ^ b;                                                           \
    d += t1;                                                                             \
    h = t1 + Ops::S0(a) + (b ^ (ab & bc));                                               \
    bc = ab;                                                                             \
  } while (0)

#define STYX_SHA256_SCHEDULE(i) \
  (w[(i)&15] += Ops::s1(w[((i)-2) & 15]) + w[((i)-7) & 15] + Ops::s0(w[((i)-15) & 15]))
#define STYX_SHA256_LOADED(i) (w[i])

// Two rounds. Where the constants come from the table, both are read here, next to each other, so
// that an ISA with a load-pair instruction (arm64 LDP) reads them with one: the empty asm takes
// both as inputs, which places both loads before it; as outputs too it would cost register copies.
#define STYX_SHA256_ROUNDS2(a, b, c, d, e, f, g, h, i, W)               \
  do {                                                                  \
    uint32_t k0 = k[i], k1 = k[(i) + 1];                                \
    if constexpr (Ops::kConstantsFromTable) asm("" ::"r"(k0), "r"(k1)); \
    STYX_SHA256_ROUND(a, b, c, d, e, f, g, h, k0, W(i));                \
    STYX_SHA256_ROUND(h, a, b, c, d, e, f, g, k1, W((i) + 1));          \
  } while (0)

// Four rounds whose constants are two 64-bit words, read next to each other so that one load pair
// (arm64 LDP of two X registers) fetches all four; the upper constants go to Ops::add_k() as
// Sha256UpperK, which an ISA with shifted operands (arm64 ADD ..., LSR #32) adds in one
// instruction.
#define STYX_SHA256_ROUNDS4_WIDE(a, b, c, d, e, f, g, h, i, W)                \
  do {                                                                        \
    uint64_t k01, k23;                                                        \
    __builtin_memcpy(&k01, __builtin_assume_aligned(k + (i), 16), 8);         \
    __builtin_memcpy(&k23, __builtin_assume_aligned(k + (i) + 2, 8), 8);      \
    asm("" ::"r"(k01), "r"(k23));                                             \
    STYX_SHA256_ROUND(a, b, c, d, e, f, g, h, uint32_t(k01), W(i));           \
    STYX_SHA256_ROUND(h, a, b, c, d, e, f, g, Sha256UpperK{k01}, W((i) + 1)); \
    STYX_SHA256_ROUND(g, h, a, b, c, d, e, f, uint32_t(k23), W((i) + 2));     \
    STYX_SHA256_ROUND(f, g, h, a, b, c, d, e, Sha256UpperK{k23}, W((i) + 3)); \
  } while (0)

#define STYX_SHA256_ROUNDS8(i, W)                                 \
  if constexpr (Ops::kConstantsWide) {                            \
    STYX_SHA256_ROUNDS4_WIDE(a, b, c, d, e, f, g, h, (i) + 0, W); \
    STYX_SHA256_ROUNDS4_WIDE(e, f, g, h, a, b, c, d, (i) + 4, W); \
  } else {                                                        \
    STYX_SHA256_ROUNDS2(a, b, c, d, e, f, g, h, (i) + 0, W);      \
    STYX_SHA256_ROUNDS2(g, h, a, b, c, d, e, f, (i) + 2, W);      \
    STYX_SHA256_ROUNDS2(e, f, g, h, a, b, c, d, (i) + 4, W);      \
    STYX_SHA256_ROUNDS2(c, d, e, f, g, h, a, b, (i) + 6, W);      \
  }

/// sha256_blocks_generic() with the operations of `Ops`.
template <class Ops>
void sha256_rounds(uint32_t state[8], const uint8_t* data, size_t blocks) {
  static_assert(!Ops::kConstantsWide || __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
                "the constant pairs are read little-endian");
  const uint32_t* k = kSha256K;
  // Where a 32-bit immediate costs two instructions (arm64 MOVZ/MOVK, riscv64 LUI/ADDI) one load
  // from the table is cheaper; the empty asm hides the table's contents from the compiler, which
  // would otherwise fold every constant into the code.
  if constexpr (Ops::kConstantsFromTable) asm("" : "+r"(k));
  // Aligned input (the usual case: segments start on pages) is read a word at a time; on ISAs
  // built with strict alignment the byte path is the only safe one for the rest.
  const bool aligned = (reinterpret_cast<uintptr_t>(data) & 3) == 0;
  // The working variables carry the state from block to block; only the copy taken at the start of
  // a block goes through the stack, and `state` is written once at the end.
  uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
  uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
  for (; blocks; --blocks, data += kSha256BlockSize) {
    // Hidden again in every block: hidden only once, the 64 loads are loop-invariant, GCC hoists
    // them out of the loop and spills them to the stack, where the reloads no longer pair.
    if constexpr (Ops::kConstantsFromTable) asm("" : "+r"(k));
    uint32_t w[16];
    // Unrolled, so that the words go straight into registers instead of through the stack; the rare
    // unaligned path stays a loop.
    if (aligned) {
#pragma GCC unroll 16
      for (int i = 0; i < 16; ++i) w[i] = Ops::load_be32_aligned(data + 4 * i);
    } else {
      for (int i = 0; i < 16; ++i) w[i] = sha256_detail::load_be32_bytes(data + 4 * i);
    }
    const uint32_t a0 = a, b0 = b, c0 = c, d0 = d, e0 = e, f0 = f, g0 = g, h0 = h;
    uint32_t bc = b ^ c;
    STYX_SHA256_ROUNDS8(0, STYX_SHA256_LOADED);
    STYX_SHA256_ROUNDS8(8, STYX_SHA256_LOADED);
    STYX_SHA256_ROUNDS8(16, STYX_SHA256_SCHEDULE);
    STYX_SHA256_ROUNDS8(24, STYX_SHA256_SCHEDULE);
    STYX_SHA256_ROUNDS8(32, STYX_SHA256_SCHEDULE);
    STYX_SHA256_ROUNDS8(40, STYX_SHA256_SCHEDULE);
    STYX_SHA256_ROUNDS8(48, STYX_SHA256_SCHEDULE);
    STYX_SHA256_ROUNDS8(56, STYX_SHA256_SCHEDULE);
    a += a0;
    b += b0;
    c += c0;
    d += d0;
    e += e0;
    f += f0;
    g += g0;
    h += h0;
  }
  state[0] = a;
  state[1] = b;
  state[2] = c;
  state[3] = d;
  state[4] = e;
  state[5] = f;
  state[6] = g;
  state[7] = h;
}

#undef STYX_SHA256_ROUND
#undef STYX_SHA256_SCHEDULE
#undef STYX_SHA256_LOADED
#undef STYX_SHA256_ROUNDS2
#undef STYX_SHA256_ROUNDS4_WIDE
#undef STYX_SHA256_ROUNDS8

}  // namespace styx
