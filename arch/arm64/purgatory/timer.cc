// SPDX-License-Identifier: GPL-2.0-only
// arm64: the generic timer's virtual count. CNTFRQ_EL0 holds its rate, set by firmware at boot.
#include "arch.h"

namespace styx::arch {

uint64_t timer_ticks() {
  uint64_t v;
  // The ISB keeps the read from being taken early, ahead of the hashing it brackets.
  asm volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(v)::"memory");
  return v;
}

uint64_t timer_hz(uint64_t host_hz) {
  uint64_t hz;
  asm volatile("mrs %0, cntfrq_el0" : "=r"(hz));
  return hz ? hz : host_hz;
}

}  // namespace styx::arch
