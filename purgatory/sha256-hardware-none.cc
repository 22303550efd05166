// SPDX-License-Identifier: GPL-2.0-only
// For ISAs without a SHA-256 hardware routine (none in arch/<isa>/purgatory/sha256-hardware*):
// the generic code always runs, and the console says there is nothing else.
#include "arch.h"

namespace styx::arch {

Sha256Hardware sha256_hardware() {
  return {};
}

}  // namespace styx::arch
