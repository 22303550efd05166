// SPDX-License-Identifier: GPL-2.0-only
// The purgatory's `styx: verified N MiB in T ms (ROUTINE)` line, for every kind of timer.
#include "verify-time.h"

#include <gtest/gtest.h>

#include <string>

namespace {

class StringSink final : public styx::Sink {
 public:
  void put(char c) override { text.push_back(c); }
  std::string text;
};

std::string line(uint64_t bytes, uint64_t ticks, uint64_t hz, const char* routine = "generic") {
  StringSink out;
  styx::report_verify_time(out, bytes, ticks, hz, routine);
  return out.text;
}

TEST(VerifyTime, MebibytesAndMillisecondsWithOneDecimal) {
  // 66.5 MB at a 62.5 MHz arm64 counter: 45625000 ticks = 730 ms.
  EXPECT_EQ(line(66'500'000, 45'625'000, 62'500'000, "armv8-ce"),
            "styx: verified 63.4 MiB in 730.0 ms (armv8-ce)\n");
  EXPECT_EQ(line(3 << 20, 12345, 10'000'000), "styx: verified 3.0 MiB in 1.2 ms (generic)\n");
  EXPECT_EQ(line(17291, 1, 4'096'000'000ull), "styx: verified 0.0 MiB in 0.0 ms (generic)\n");
}

TEST(VerifyTime, LongRunsAtHighRatesDoNotOverflow) {
  // A day at 10 GHz: ticks * 10000 alone would wrap.
  const uint64_t hz = 10'000'000'000ull, ticks = 86'400 * hz;
  EXPECT_EQ(line(1ull << 40, ticks, hz),
            "styx: verified 1048576.0 MiB in 86400000.0 ms (generic)\n");
}

TEST(VerifyTime, UnknownRateGivesTicksAndNoTimerSaysSo) {
  EXPECT_EQ(line(5 << 20, 987654321, 0, "sha-ni"),
            "styx: verified 5.0 MiB in 987654321 ticks (sha-ni; timer rate unknown)\n");
  EXPECT_EQ(line(5 << 20, 0, 1000), "styx: verified 5.0 MiB (generic; no timer)\n");
}

}  // namespace
