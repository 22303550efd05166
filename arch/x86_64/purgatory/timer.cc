// SPDX-License-Identifier: GPL-2.0-only
// x86_64: the TSC. Its rate is architected nowhere: CPUID leaf 0x15 gives it on CPUs that report
// their crystal clock (recent Intel); elsewhere only the host's measurement (`styx load`) knows it.
#include "arch.h"

namespace styx::arch {
namespace {

void cpuid(uint32_t leaf, uint32_t& a, uint32_t& b, uint32_t& c, uint32_t& d) {
  asm volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(leaf), "c"(0));
}

}  // namespace

uint64_t timer_ticks() {
  uint32_t lo, hi;
  // No LFENCE (an SSE2 instruction, which the purgatory must not use): what RDTSC may run ahead
  // of is nanoseconds against milliseconds of hashing.
  asm volatile("rdtsc" : "=a"(lo), "=d"(hi)::"memory");
  return static_cast<uint64_t>(hi) << 32 | lo;
}

uint64_t timer_hz(uint64_t host_hz) {
  uint32_t max_leaf, b, c, d;
  cpuid(0, max_leaf, b, c, d);
  if (max_leaf >= 0x15) {
    // EAX/EBX: the TSC / crystal clock ratio; ECX: the crystal's rate, 0 when not reported.
    uint32_t denominator, numerator, crystal_hz;
    cpuid(0x15, denominator, numerator, crystal_hz, d);
    if (denominator && numerator && crystal_hz)
      return static_cast<uint64_t>(crystal_hz) * numerator / denominator;
  }
  return host_hz;
}

}  // namespace styx::arch
