// SPDX-License-Identifier: GPL-2.0-only
// s390x: the TOD clock. Its rate is architected: bit 51 of the value counts microseconds.
#include "arch.h"

namespace styx::arch {

uint64_t timer_ticks() {
  uint64_t v;
  asm volatile("stckf %0" : "=Q"(v)::"memory", "cc");
  return v;
}

uint64_t timer_hz(uint64_t) {
  return 4096000000;
}

}  // namespace styx::arch
