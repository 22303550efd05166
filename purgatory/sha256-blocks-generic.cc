// SPDX-License-Identifier: GPL-2.0-only
// The portable SHA-256 compression, for the host and for ISAs that choose no operations of their
// own (arch/<isa>/purgatory/sha256-generic.cc).
#include "sha256-ops.h"

namespace styx {

void sha256_blocks_generic(uint32_t state[8], const uint8_t* data, size_t blocks) {
  sha256_rounds<Sha256Ops>(state, data, blocks);
}

}  // namespace styx
