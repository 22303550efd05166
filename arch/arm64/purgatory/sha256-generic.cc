// SPDX-License-Identifier: GPL-2.0-only
// arm64 folds a rotate into EOR's second operand, so the flat sigmas are three instructions each;
// the round constants come from the table, four per LDP of two X registers.
#include "sha256-ops.h"

namespace styx {
namespace {

struct Arm64Sha256Ops : Sha256WideTableOps {
  using Sha256WideTableOps::add_k;
  // GCC narrows the sum to 32 bits before it sees the shift and spends an LSR on it; the upper
  // half is added straight from the pair. Only the low 32 bits of the result are used.
  static uint32_t add_k(uint32_t x, Sha256UpperK k) {
    uint64_t sum = x;
    asm("add %x0, %x0, %x1, lsr #32" : "+r"(sum) : "r"(k.pair));
    return static_cast<uint32_t>(sum);
  }
};

}  // namespace

void sha256_blocks_generic(uint32_t state[8], const uint8_t* data, size_t blocks) {
  sha256_rounds<Arm64Sha256Ops>(state, data, blocks);
}

}  // namespace styx
