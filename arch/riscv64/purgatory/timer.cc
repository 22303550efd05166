// SPDX-License-Identifier: GPL-2.0-only
// riscv64: the `time` CSR (rdtime), which the SBI firmware lets S-mode read. Its rate is the
// device tree's /cpus timebase-frequency, which the host puts in the hand-off block.
#include "arch.h"

namespace styx::arch {

uint64_t timer_ticks() {
  uint64_t v;
  asm volatile("rdtime %0" : "=r"(v)::"memory");
  return v;
}

uint64_t timer_hz(uint64_t host_hz) {
  return host_hz;
}

}  // namespace styx::arch
