// SPDX-License-Identifier: GPL-2.0-only
// The TSC rate `styx load` measures on an x86_64 machine for the purgatory's verified-time line.
#include "../../arch/x86_64/host/tsc-rate.h"

#include <gtest/gtest.h>

#include <unistd.h>
#include <filesystem>
#include <fstream>

#include "live-system.h"

namespace styx::host {
namespace {

namespace fs = std::filesystem;

class TscRate : public testing::Test {
 protected:
  void SetUp() override {
    root_ =
        fs::temp_directory_path() / ("styx-tsc-rate-test-" + std::to_string(::getpid()) + "-" +
                                     testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(root_ / "proc");
  }
  void TearDown() override { fs::remove_all(root_); }

  void cpuinfo(const std::string& flags) {
    std::ofstream(root_ / "proc/cpuinfo") << "processor\t: 0\nvendor_id\t: GenuineIntel\n"
                                          << "flags\t\t: " << flags << "\n\n"
                                          << "processor\t: 1\nflags\t\t: fpu\n";
  }

  fs::path root_;
};

TEST_F(TscRate, SteadyNeedsBothConstantAndNonstop) {
  const LiveSystem live(root_);
  EXPECT_FALSE(x86_64_tsc_is_steady(live)) << "no /proc/cpuinfo";
  cpuinfo("fpu tsc constant_tsc nonstop_tsc sse2");
  EXPECT_TRUE(x86_64_tsc_is_steady(live));
  cpuinfo("fpu tsc constant_tsc sse2");
  EXPECT_FALSE(x86_64_tsc_is_steady(live));
  cpuinfo("fpu tsc nonstop_tsc");
  EXPECT_FALSE(x86_64_tsc_is_steady(live));
  cpuinfo("fpu constant_tsc_x nonstop_tsc");
  EXPECT_FALSE(x86_64_tsc_is_steady(live)) << "a flag is a whole word";
}

TEST_F(TscRate, ACapturedTreeIsNeverMeasured) {
  cpuinfo("constant_tsc nonstop_tsc");
  EXPECT_EQ(measure_x86_64_tsc_hz(LiveSystem(root_)), 0u);
}

TEST(TscRateHere, TwoMeasurementsAgree) {
  const LiveSystem live("/");
#if !defined(__x86_64__)
  GTEST_SKIP() << "not an x86_64 host: nothing to measure";
#endif
  if (!x86_64_tsc_is_steady(live)) GTEST_SKIP() << "this CPU's TSC is not steady";
  const uint64_t a = measure_x86_64_tsc_hz(live);
  const uint64_t b = measure_x86_64_tsc_hz(live);
  ASSERT_GT(a, 100'000'000u);
  ASSERT_LT(a, 20'000'000'000u);
  EXPECT_EQ(a % 1000, 0u);
  // 20 ms against a raw monotonic clock: well within 0.5% of each other, even on a busy host.
  EXPECT_NEAR(static_cast<double>(a), static_cast<double>(b), a * 0.005);
}

}  // namespace
}  // namespace styx::host
