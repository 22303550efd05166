// SPDX-License-Identifier: GPL-2.0-only
// `styx build --kernel` images run in the emulator: what the next kernel reads at the hand-off
// (command line, initrd, IMA list, memory map) must be exactly what was given, on every ISA
// that boots Linux. Kernels here are synthetic: only their headers matter before the entry.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli.h"
#include "file-io.h"
#include "fixture.h"
#include "sample-boot.h"

namespace styx::test {
namespace {

namespace fs = std::filesystem;

using Result = CliResult;

class NextKernel : public testing::TestWithParam<std::string>, protected TestDir {
 protected:
  NextKernel() : TestDir("styx-next-kernel") {}

  void SetUp() override {
    sample_ = sample_boot(GetParam());
    write("kernel", sample_.kernel);
    write("initrd", pattern(70001, 5));
    if (!sample_.dtb.empty()) write("boot.dtb", sample_.dtb);
  }

  std::vector<std::string> build_args(const std::string& cmdline) const {
    return build_args(cmdline, sample_.mem_args);
  }
  std::vector<std::string> build_args(const std::string& cmdline,
                                      const std::vector<std::string>& mem) const {
    std::vector<std::string> args{"build",        "--arch",     GetParam(),     "--kernel",
                                  path("kernel"), "--initrd",   path("initrd"), "--cmdline",
                                  cmdline,        "--ima-list", kImaList,       "-o",
                                  path("image")};
    args.insert(args.end(), mem.begin(), mem.end());
    if (!sample_.dtb.empty()) args.insert(args.end(), {"--dtb", path("boot.dtb")});
    return args;
  }

  static constexpr const char* kImaList =
      STYX_SOURCE_DIR "/tests/data/ima/debian12-amd64-binary_runtime_measurements";
  SampleBoot sample_;
};

TEST_P(NextKernel, SeesExactlyWhatWasGiven) {
  const std::string cmdline = "console=ttyS0 root=/dev/vda ro quiet";
  Result r = styx(build_args(cmdline));
  ASSERT_EQ(r.status, 0) << r.err;
  r = styx({"run", path("image"), "--json"});
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["outcome"], "handoff");
  const auto& next = j["next_kernel"];
  EXPECT_EQ(next["cmdline"], cmdline);
  EXPECT_EQ(next["initrd"]["size"], 0x11171u);
  EXPECT_EQ(next["initrd"]["matches"], true);
  EXPECT_EQ(next["ima"]["records"], 9);
  EXPECT_EQ(next["ima"]["matches"], true);
  ASSERT_EQ(next["memory"].size(), sample_.memory.size());
  for (size_t i = 0; i < sample_.memory.size(); ++i) {
    EXPECT_EQ(next["memory"][i]["start"], std::stoull(sample_.memory[i].first, nullptr, 16));
    EXPECT_EQ(next["memory"][i]["size"], std::stoull(sample_.memory[i].second, nullptr, 16));
  }
  EXPECT_EQ(j["console"].get<std::string>().find("FAIL"), std::string::npos);

  // The carried list, as `styx ima show` reads it back out of the image.
  const Result shown = styx({"ima", "show", path("image")});
  EXPECT_EQ(shown.status, 0) << shown.err;
  const Result original = styx({"ima", "show", kImaList});
  EXPECT_EQ(shown.out, original.out);
  EXPECT_EQ(std::count(shown.out.begin(), shown.out.end(), '\n'), 9);
}

TEST_P(NextKernel, CorruptImaListIsNamedAndNothingIsHandedOver) {
  ASSERT_EQ(styx(build_args("quiet")).status, 0);
  const auto image = host::read_image(path("image"));
  uint32_t ima = 0;
  while (ima < image.segments.size() && image.segments[ima].role != Role::kIma) ++ima;
  ASSERT_LT(ima, image.segments.size());
  const Result r = styx({"run", path("image"), "--flip", std::to_string(ima) + ":100:2", "--json"});
  EXPECT_EQ(r.status, 1);
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["outcome"], "failure");
  EXPECT_EQ(j["failed_segments"], nlohmann::json::array({ima}));
  EXPECT_FALSE(j.contains("next_kernel"));
  EXPECT_NE(j["console"].get<std::string>().find("FAIL segment " + std::to_string(ima) + " (ima)"),
            std::string::npos);
}

TEST_P(NextKernel, BadBootInputIsOneLineExitTwoAndNoFile) {
  auto expect_bad = [&](std::vector<std::string> args, const std::string& needle) {
    const Result r = styx(args);
    EXPECT_EQ(r.status, 2) << r.out;
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_FALSE(fs::exists(path("image")));
  };
  auto with_kernel = [&](const std::vector<uint8_t>& kernel) {
    write("bad-kernel", kernel);
    auto args = build_args("quiet");
    args[4] = path("bad-kernel");
    return args;
  };
  // Not a kernel of this ISA, and a truncated one.
  expect_bad(with_kernel(pattern(8192, 3)), path("bad-kernel") + ": ");
  auto kernel = sample_.kernel;
  kernel.resize(sample_.truncated_size);
  expect_bad(with_kernel(kernel), path("bad-kernel") + ": ");
  // A list with a bad record: its index and offset are named.
  auto list = host::read_file(kImaList);
  list[4 + 20] = 0xff;  // the first record's template name length
  write("bad-list", list);
  auto args = build_args("quiet");
  args[10] = path("bad-list");
  expect_bad(args, path("bad-list") + ": record 0 at offset 0x0: ");
  // A command line longer than the boot protocol allows.
  if (sample_.cmdline_limit)
    expect_bad(build_args(std::string(sample_.cmdline_limit + 1, 'x')), "command line");
  // A kernel too large for RAM.
  expect_bad(build_args("quiet", sample_.small_mem), "short by");
  if (!sample_.dtb.empty()) {
    // A malformed device tree.
    auto dtb = sample_.dtb;
    dtb.resize(dtb.size() / 2);
    write("bad.dtb", dtb);
    args = build_args("quiet");
    args.back() = path("bad.dtb");
    expect_bad(args, path("bad.dtb") + ": ");
  }
}

std::vector<std::string> booting_arches() {
  std::vector<std::string> names;
  for (const host::ArchInfo* a : host::all_arches())
    if (a->plan_boot) names.emplace_back(a->name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(Isa, NextKernel, testing::ValuesIn(booting_arches()), param_name);

}  // namespace
}  // namespace styx::test
