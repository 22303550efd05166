// SPDX-License-Identifier: GPL-2.0-only
// For ISAs without a faster memory set-up for hashing (no arch/<isa>/purgatory/fast-memory.cc):
// the segments are hashed in the state the purgatory was entered in, with nothing to say.
#include "arch.h"

namespace styx::arch {

const char* fast_memory(const Handoff&, bool) {
  return nullptr;
}

}  // namespace styx::arch
