// SPDX-License-Identifier: GPL-2.0-only
// z10 has a three-operand rotate (RLL) but only two-operand XOR, and 16 registers: the nested
// sigmas need the fewest copies. Loads are big-endian already.
#include "sha256-ops.h"

namespace styx {

void sha256_blocks_generic(uint32_t state[8], const uint8_t* data, size_t blocks) {
  sha256_rounds<Sha256NestedOps>(state, data, blocks);
}

}  // namespace styx
