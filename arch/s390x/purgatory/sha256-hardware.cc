// SPDX-License-Identifier: GPL-2.0-only
// s390x: CPACF's KIMD-SHA-256 is detected the way the architecture says to (STFLE facility 17,
// the message-security assist, then the KIMD query), but no routine that issues it is built: no
// emulator available to the project runs KIMD-SHA-256 (Unicorn 2.0.1 implements only the query and
// aborts the host process on any other function; qemu 7.2's TCG implements KIMD-SHA-512 only), and
// an untested routine must not decide a verification. The console says what this CPU reported.
#include "arch.h"

extern "C" void styx_s390x_kimd_query(uint8_t status[16]);

namespace styx::arch {
namespace {

constexpr unsigned kFacilityMsa = 17;
constexpr unsigned kKimdSha256 = 2;  // KIMD function code for SHA-256

// Facility bits 0-255 (STFLE is part of every machine that runs -march=z10 code: facility 7).
bool has_facility(unsigned bit) {
  uint64_t list[4] = {};
  register uint64_t r0 asm("0") = 3;  // doublewords to store, minus one
  asm volatile("stfle %0" : "=Q"(list), "+d"(r0) : : "cc", "memory");
  return (list[bit / 64] >> (63 - bit % 64)) & 1;
}

}  // namespace

Sha256Hardware sha256_hardware() {
  Sha256Hardware hw{.name = "cpacf-kimd"};
  if (!has_facility(kFacilityMsa)) {
    hw.why_not = "STFLE facility 17 (MSA) is 0";
    return hw;
  }
  uint8_t status[16] = {};
  styx_s390x_kimd_query(status);
  if (!((status[kKimdSha256 / 8] >> (7 - kKimdSha256 % 8)) & 1)) {
    hw.why_not = "the KIMD query does not report SHA-256";
    return hw;
  }
  hw.why_not = "KIMD-SHA-256 is reported, but no routine for it is built (untested)";
  return hw;
}

}  // namespace styx::arch
