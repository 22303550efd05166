// SPDX-License-Identifier: GPL-2.0-only
// ppc64le: the time base. Its rate is the device tree's timebase-frequency, which the host puts in
// the hand-off block; every POWER8 to POWER11 runs it at 512 MHz, the rate assumed without one.
#include "arch.h"

namespace styx::arch {

uint64_t timer_ticks() {
  uint64_t v;
  asm volatile("mftb %0" : "=r"(v)::"memory");
  return v;
}

uint64_t timer_hz(uint64_t host_hz) {
  return host_hz ? host_hz : 512000000;
}

}  // namespace styx::arch
