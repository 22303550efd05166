// Portable SHA-256 compression: fully unrolled rounds, 16-word rolling message schedule.
#include "sha256.h"

namespace styx {
namespace {

constexpr uint32_t kK[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

inline uint32_t ror(uint32_t x, int n) {
  return (x >> n) | (x << (32 - n));
}

inline uint32_t load_be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

// Aligned input (the usual case: segments start on pages) is read a word at a time; on ISAs
// built with strict alignment the byte path above is the only safe one for the rest.
inline uint32_t load_be32_aligned(const uint8_t* p) {
#if defined(__riscv) && !defined(__riscv_zbb)
  // No byte-swap instruction: __builtin_bswap32 would become a libgcc call, which the purgatory
  // does not link. The byte loads cost no more than a word load and a shift-and-mask swap.
  return load_be32(p);
#endif
  uint32_t w;
  __builtin_memcpy(&w, __builtin_assume_aligned(p, 4), 4);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  w = __builtin_bswap32(w);
#endif
  return w;
}

inline uint32_t s0(uint32_t x) {
  return ror(x, 7) ^ ror(x, 18) ^ (x >> 3);
}
inline uint32_t s1(uint32_t x) {
  return ror(x, 17) ^ ror(x, 19) ^ (x >> 10);
}
inline uint32_t S0(uint32_t x) {
  return ror(x, 2) ^ ror(x, 13) ^ ror(x, 22);
}
inline uint32_t S1(uint32_t x) {
  return ror(x, 6) ^ ror(x, 11) ^ ror(x, 25);
}
inline uint32_t ch(uint32_t e, uint32_t f, uint32_t g) {
  return g ^ (e & (f ^ g));
}
inline uint32_t maj(uint32_t a, uint32_t b, uint32_t c) {
  return (a & b) | (c & (a | b));
}

// One round with the working variables renamed instead of shifted. Maj(a, b, c) is computed as
// b ^ ((a ^ b) & (b ^ c)), where b ^ c is the previous round's a ^ b, carried in `bc`.
#define STYX_ROUND(a, b, c, d, e, f, g, h, k, w)         \
  do {                                                   \
    const uint32_t t1 = h + S1(e) + ch(e, f, g) + k + w; \
    const uint32_t ab = a ^ b;                           \
    d += t1;                                             \
    h = t1 + S0(a) + (b ^ (ab & bc));                    \
    bc = ab;                                             \
  } while (0)

#define STYX_SCHEDULE(i) (w[(i)&15] += s1(w[((i)-2) & 15]) + w[((i)-7) & 15] + s0(w[((i)-15) & 15]))

#define STYX_ROUNDS8(i, W)                                     \
  STYX_ROUND(a, b, c, d, e, f, g, h, kK[(i) + 0], W((i) + 0)); \
  STYX_ROUND(h, a, b, c, d, e, f, g, kK[(i) + 1], W((i) + 1)); \
  STYX_ROUND(g, h, a, b, c, d, e, f, kK[(i) + 2], W((i) + 2)); \
  STYX_ROUND(f, g, h, a, b, c, d, e, kK[(i) + 3], W((i) + 3)); \
  STYX_ROUND(e, f, g, h, a, b, c, d, kK[(i) + 4], W((i) + 4)); \
  STYX_ROUND(d, e, f, g, h, a, b, c, kK[(i) + 5], W((i) + 5)); \
  STYX_ROUND(c, d, e, f, g, h, a, b, kK[(i) + 6], W((i) + 6)); \
  STYX_ROUND(b, c, d, e, f, g, h, a, kK[(i) + 7], W((i) + 7))

#define STYX_W_LOAD(i) (w[i])

}  // namespace

void sha256_blocks(uint32_t state[8], const uint8_t* data, size_t blocks) {
  const bool aligned = (reinterpret_cast<uintptr_t>(data) & 3) == 0;
  for (; blocks; --blocks, data += kSha256BlockSize) {
    uint32_t w[16];
    if (aligned) {
      for (int i = 0; i < 16; ++i) w[i] = load_be32_aligned(data + 4 * i);
    } else {
      for (int i = 0; i < 16; ++i) w[i] = load_be32(data + 4 * i);
    }
    uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
    uint32_t bc = b ^ c;
    STYX_ROUNDS8(0, STYX_W_LOAD);
    STYX_ROUNDS8(8, STYX_W_LOAD);
    STYX_ROUNDS8(16, STYX_SCHEDULE);
    STYX_ROUNDS8(24, STYX_SCHEDULE);
    STYX_ROUNDS8(32, STYX_SCHEDULE);
    STYX_ROUNDS8(40, STYX_SCHEDULE);
    STYX_ROUNDS8(48, STYX_SCHEDULE);
    STYX_ROUNDS8(56, STYX_SCHEDULE);
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
    state[5] += f;
    state[6] += g;
    state[7] += h;
  }
}

}  // namespace styx
