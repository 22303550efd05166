// SPDX-License-Identifier: GPL-2.0-only
#include "sha256-ops-riscv64.h"

namespace styx {

void sha256_blocks_generic(uint32_t state[8], const uint8_t* data, size_t blocks) {
  sha256_rounds<Riscv64Sha256Ops>(state, data, blocks);
}

}  // namespace styx
