// SPDX-License-Identifier: GPL-2.0-only
// x86_64 rotates in place and has two-operand XOR, so the nested sigmas save register copies.
#include "sha256-ops.h"

namespace styx {

void sha256_blocks_generic(uint32_t state[8], const uint8_t* data, size_t blocks) {
  sha256_rounds<Sha256NestedOps>(state, data, blocks);
}

}  // namespace styx
