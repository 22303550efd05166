// SPDX-License-Identifier: GPL-2.0-only
#include "verify-time.h"

namespace styx {

void report_verify_time(Sink& out, uint64_t bytes, uint64_t ticks, uint64_t hz,
                        const char* routine) {
  const uint64_t tenths_mib = bytes * 10 / (1u << 20);
  format(out, "styx: verified %llu.%llu MiB", static_cast<unsigned long long>(tenths_mib / 10),
         static_cast<unsigned long long>(tenths_mib % 10));
  if (ticks == 0) {
    format(out, " (%s; no timer)\n", routine);
  } else if (hz == 0) {
    format(out, " in %llu ticks (%s; timer rate unknown)\n", static_cast<unsigned long long>(ticks),
           routine);
  } else {
    // Whole seconds and the remainder apart: ticks * 10000 alone overflows after 21 days at
    // 10 GHz, the remainder times 10000 only for rates above 1.8e15 Hz.
    const uint64_t tenths_ms = ticks / hz * 10000 + ticks % hz * 10000 / hz;
    format(out, " in %llu.%llu ms (%s)\n", static_cast<unsigned long long>(tenths_ms / 10),
           static_cast<unsigned long long>(tenths_ms % 10), routine);
  }
}

}  // namespace styx
