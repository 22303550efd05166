// SPDX-License-Identifier: GPL-2.0-only
// arm64 folds a rotate into EOR's second operand, so the flat sigmas are three instructions each;
// a round constant is one LDR from the table instead of MOVZ + MOVK.
#include "sha256-ops.h"

namespace styx {

void sha256_blocks_generic(uint32_t state[8], const uint8_t* data, size_t blocks) {
  sha256_rounds<Sha256TableOps>(state, data, blocks);
}

}  // namespace styx
