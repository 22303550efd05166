// SPDX-License-Identifier: GPL-2.0-only
// The `styx` command as a user runs it: exit statuses, messages, files left behind.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli.h"
#include "file-io.h"
#include "fixture.h"

namespace styx::test {
namespace {

namespace fs = std::filesystem;

using Result = CliResult;

class Cli : public testing::TestWithParam<std::string>, protected TestDir {
 protected:
  Cli() : TestDir("styx-cli-test") {}

  void SetUp() override {
    const host::ArchInfo& a = *host::find_arch(GetParam());
    base_ = a.demo_ram_base;
    write("kernel", pattern(8192, 1));
    write("initrd", pattern(5003, 2));
    write("boot", pattern(4096, 3));
    write("empty", {});
  }

  std::string addr(uint64_t offset) const { return host::hex(base_ + offset); }
  uint64_t at(uint64_t offset) const { return base_ + offset; }
  std::string boot_role() const { return role_name(host::find_arch(GetParam())->boot_data_role); }
  std::string boot_reg() const {
    return std::string(host::find_arch(GetParam())->boot_data_register());
  }

  /// `styx build` arguments for a good image, to which a test adds or changes things.
  std::vector<std::string> build_args(const std::string& out = "image") const {
    return {"build",
            "--arch",
            GetParam(),
            "--segment",
            "kernel=" + path("kernel") + "@" + addr(0x200000),
            "--segment",
            "initrd=" + path("initrd") + "@" + addr(0x1000000),
            "--segment",
            boot_role() + "=" + path("boot") + "@" + addr(0x2000000),
            "--entry",
            addr(0x200000),
            "--boot-arg",
            boot_reg() + "=" + addr(0x2000000),
            "--mem",
            addr(0) + ":64M",
            "-o",
            path(out)};
  }

  /// Expects exit 2, a one-line error mentioning `needle`, and no output file.
  void expect_bad_input(const std::vector<std::string>& args, const std::string& needle,
                        const std::string& out = "image") const {
    const Result r = styx(args);
    EXPECT_EQ(r.status, 2) << r.out << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_FALSE(fs::exists(path(out)));
    for (const auto& e : fs::directory_iterator(root()))
      EXPECT_EQ(e.path().filename().string().rfind(".image", 0), std::string::npos)
          << "temp file left: " << e.path();
  }

  uint64_t base_ = 0;
};

TEST_P(Cli, BuildInspectVerifyRun) {
  Result r = styx(build_args());
  ASSERT_EQ(r.status, 0) << r.err;
  ASSERT_TRUE(fs::exists(path("image")));

  r = styx({"inspect", path("image"), "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["arch"], GetParam());
  // Numbers are JSON numbers, not hex strings, so that jq and scripts can compare them.
  EXPECT_TRUE(j["entry"].is_number_unsigned()) << j["entry"];
  EXPECT_EQ(j["entry"], at(0x200000));
  EXPECT_EQ(j["boot_registers"][boot_reg()], at(0x2000000));
  ASSERT_EQ(j["segments"].size(), 3u);
  EXPECT_EQ(j["segments"][1]["role"], "initrd");
  EXPECT_EQ(j["segments"][1]["addr"], at(0x1000000));
  EXPECT_EQ(j["segments"][1]["size"], 5003u);
  EXPECT_EQ(j["segments"][1]["sha256"], host::to_hex(host::sha256(pattern(5003, 2))));
  EXPECT_EQ(j["on_failure"], "halt");

  const host::Image image = host::read_image(path("image"));
  EXPECT_EQ(j["seal"]["handoff_sha256"], host::to_hex(image.handoff.handoff_sha256));
  EXPECT_EQ(j["seal"]["handoff_ok"], true);
  EXPECT_EQ(j["seal"]["purgatory_sha256"], host::to_hex(image.handoff.purgatory_sha256));
  EXPECT_EQ(j["seal"]["purgatory_bytes"], image.purgatory.size());
  EXPECT_EQ(j["seal"]["purgatory_ok"], true);

  r = styx({"inspect", path("image")});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("initrd"), std::string::npos);
  EXPECT_NE(r.out.find("seal:       hand-off block sha256 " +
                       host::to_hex(image.handoff.handoff_sha256) + " (matches)\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(
      r.out.find("            purgatory sha256 " + host::to_hex(image.handoff.purgatory_sha256) +
                 " over " + std::to_string(image.purgatory.size()) + " bytes (matches)\n"),
      std::string::npos)
      << r.out;

  r = styx({"verify", path("image")});
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("hand-off block: ok\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("purgatory " + host::hex(image.purgatory_addr) + "+" +
                       host::hex(image.purgatory.size()) + ": ok\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("all 3 segments match"), std::string::npos) << r.out;

  r = styx({"run", path("image"), "--json"});
  EXPECT_EQ(r.status, 0) << r.out;
  const auto run = nlohmann::json::parse(r.out);
  EXPECT_EQ(run["outcome"], "handoff");
  EXPECT_EQ(run["entry"], at(0x200000));
  EXPECT_EQ(run["registers"][boot_reg()], at(0x2000000));
  EXPECT_GT(run["instructions"].get<uint64_t>(), 0u);
  EXPECT_TRUE(run["failed_segments"].empty());

  r = styx({"run", path("image"), "--flip", "1:5002:7", "--json"});
  EXPECT_EQ(r.status, 1) << r.out;
  const auto bad = nlohmann::json::parse(r.out);
  EXPECT_EQ(bad["outcome"], "failure");
  EXPECT_EQ(bad["failed_segments"], nlohmann::json::array({1}));
  EXPECT_NE(bad["console"].get<std::string>().find("FAIL segment 1 (initrd)"), std::string::npos);

  r = styx({"run", path("image"), "--max-insns", "1000"});
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("timeout"), std::string::npos) << r.out;
}

TEST_P(Cli, VerifyNamesACorruptSegmentInTheFile) {
  ASSERT_EQ(styx(build_args()).status, 0);
  auto bytes = host::read_file(path("image"));
  // Find the initrd's bytes in the file and flip one bit of them.
  const auto initrd = pattern(5003, 2);
  auto it = std::search(bytes.begin(), bytes.end(), initrd.begin(), initrd.end());
  ASSERT_NE(it, bytes.end());
  it[100] ^= 0x10;
  write("image", bytes);
  const Result r = styx({"verify", path("image")});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("segment 1 (initrd) " + addr(0x1000000) + "+0x138b: MISMATCH"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("segment 0 (kernel) " + addr(0x200000) + "+0x2000: MISMATCH"),
            std::string::npos)
      << r.out;
}

// A flipped bit in the hand-off block or in the purgatory's bytes: verify names which, inspect
// shows the mismatch, and both still read the image.
TEST_P(Cli, VerifyAndInspectNameABrokenSeal) {
  ASSERT_EQ(styx(build_args()).status, 0);
  const host::Image good = host::read_image(path("image"));
  const struct {
    std::string name;
    uint64_t offset;  // in the purgatory's bytes
    std::string verify, inspect;
  } cases[] = {
      {"block", good.handoff_offset + offsetof(Handoff, reserved1), "hand-off block: MISMATCH",
       "the hand-off block is corrupt"},
      {"purgatory", good.purgatory_entry - good.purgatory_addr,
       "purgatory " + host::hex(good.purgatory_addr) + "+" + host::hex(good.purgatory.size()) +
           ": MISMATCH",
       "the purgatory is corrupt"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    host::Image bad = good;
    bad.purgatory[c.offset] ^= 0x04;
    host::write_image(path("bad"), bad);
    Result r = styx({"verify", path("bad")});
    EXPECT_EQ(r.status, 1) << r.out;
    EXPECT_NE(r.out.find(c.verify), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(path("bad") + ": " + c.inspect + "\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("all 3 segments match"), std::string::npos) << r.out;
    r = styx({"verify", path("bad"), "--json"});
    EXPECT_EQ(r.status, 1) << r.out;
    const auto v = nlohmann::json::parse(r.out);
    EXPECT_EQ(v["ok"], false);
    EXPECT_EQ(v["handoff"]["ok"], c.name != "block");
    EXPECT_EQ(v["purgatory"]["ok"], c.name != "purgatory");
    EXPECT_TRUE(v["purgatory"]["addr"].is_number_unsigned()) << v["purgatory"];
    EXPECT_TRUE(v["segments"][0]["size"].is_number_unsigned()) << v["segments"][0];
    r = styx({"inspect", path("bad"), "--json"});
    EXPECT_EQ(r.status, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["seal"]["handoff_ok"], c.name != "block");
    EXPECT_EQ(j["seal"]["purgatory_ok"], c.name != "purgatory");
    r = styx({"inspect", path("bad")});
    EXPECT_NE(r.out.find("(MISMATCH)"), std::string::npos) << r.out;
  }
}

TEST_P(Cli, ResetPolicyRunExitsOne) {
  auto args = build_args();
  args.insert(args.end(), {"--on-failure", "reset"});
  ASSERT_EQ(styx(args).status, 0);
  const Result r = styx({"run", path("image"), "--flip", "0:0:0"});
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("reset"), std::string::npos) << r.out;
}

TEST_P(Cli, BadInputIsOneLineExitTwoAndNoFile) {
  auto with = [&](const std::string& option, const std::string& value) {
    auto args = build_args();
    args.insert(args.end(), {option, value});
    return args;
  };
  auto replace = [&](size_t index, const std::string& value) {
    auto args = build_args();
    args.at(index) = value;
    return args;
  };
  expect_bad_input(with("--segment", "data=" + path("missing") + "@" + addr(0x3000000)),
                   path("missing"));
  expect_bad_input(with("--segment", "data=" + path("empty") + "@" + addr(0x3000000)),
                   path("empty") + ": empty file");
  expect_bad_input(replace(2, "mips"), "unknown ISA");
  expect_bad_input(with("--segment", "firmware=" + path("kernel") + "@" + addr(0x3000000)),
                   "unknown role 'firmware'");
  expect_bad_input(with("--segment", "data=" + path("kernel") + "@" + addr(0x201000)), "overlaps");
  expect_bad_input(with("--segment", "data=" + path("kernel") + "@" + addr(0x4000000)),
                   "not inside one RAM range");
  expect_bad_input(with("--console", "serial,0x3f8"), "console 'serial,0x3f8'");
  expect_bad_input(with("--segment", "data=" + path("kernel") + "@zz"), "not a number");
  expect_bad_input(with("--mem", "0x1000"), "expected START:SIZE");
  auto many = build_args();
  for (int i = 0; i < 30; ++i)
    many.insert(many.end(),
                {"--segment", "data=" + path("kernel") + "@" + addr(0x3000000 + i * 0x10000)});
  expect_bad_input(many, "too many segments");
}

// One command line for every ISA: each ISA's own reset methods, its usual other names, and
// the spellings of the kernel command line that `load` takes.
TEST_P(Cli, EveryIsaSpelledItsWays) {
  const host::ArchInfo& arch = *host::find_arch(GetParam());
  for (ResetMethod m : arch.reset_methods) {
    auto args = build_args();
    args.insert(args.end(), {"--on-failure", "reset", "--reset-method",
                             std::string(host::reset_method_name(m))});
    const Result r = styx(args);
    ASSERT_EQ(r.status, 0) << host::reset_method_name(m) << ": " << r.err;
    EXPECT_NE(styx({"inspect", path("image")}).out.find(host::reset_method_name(m)),
              std::string::npos);
  }
  // Another ISA's method is refused with this ISA's list.
  const std::string foreign = arch.name == "x86_64" ? "psci-hvc" : "cf9";
  auto args = build_args();
  args.insert(args.end(), {"--reset-method", foreign});
  fs::remove(path("image"));
  expect_bad_input(args, "--reset-method '" + foreign + "': " + std::string(arch.name) +
                             " resets with " + host::reset_method_names(arch));

  for (std::string_view alias : arch.aliases) {
    args = build_args();
    args.at(2) = std::string(alias);
    const Result r = styx(args);
    ASSERT_EQ(r.status, 0) << alias << ": " << r.err;
    EXPECT_NE(styx({"inspect", path("image")}).out.find(arch.name), std::string::npos);
  }

  // A range that is not whole pages is explained, with the pages inside it.
  args = build_args();
  args.at(args.size() - 3) = addr(0x100) + ":64M";
  fs::remove(path("image"));
  expect_bad_input(args, "start " + addr(0x100) + " is not a multiple of " +
                             host::hex(arch.page_size) + ", " + std::string(arch.name) +
                             "'s page size (the whole pages inside it: " + addr(arch.page_size));
}

TEST(CliUsage, AppendWhereverCmdline) {
  const Result build = styx({"build", "--help"});
  EXPECT_NE(build.out.find("--append"), std::string::npos) << build.out;
  EXPECT_NE(build.out.find("psci-hvc, psci-smc (arm64)"), std::string::npos) << build.out;
  EXPECT_NE(build.out.find("sbi-srst (riscv64)"), std::string::npos) << build.out;
  const Result load = styx({"load", "--help"});
  EXPECT_NE(load.out.find("--cmdline"), std::string::npos) << load.out;
}

TEST_P(Cli, ReadingCommandsRejectWhatIsNotAnImage) {
  ASSERT_EQ(styx(build_args()).status, 0);
  const auto good = host::read_file(path("image"));
  write("truncated",
        std::vector<uint8_t>(good.begin(), good.begin() + static_cast<ptrdiff_t>(good.size() / 2)));
  write("purgatory", std::vector<uint8_t>(host::embedded_purgatory(GetParam()).begin(),
                                          host::embedded_purgatory(GetParam()).end()));
  for (const std::string cmd : {"inspect", "verify", "run"}) {
    SCOPED_TRACE(cmd);
    for (const auto& [file, needle] :
         std::vector<std::pair<std::string, std::string>>{{"kernel", "not an ELF file"},
                                                          {"empty", "empty file"},
                                                          {"missing", "No such file"},
                                                          {"truncated", "truncated"},
                                                          {"purgatory", "not a Styx image"}}) {
      const Result r = styx({cmd, path(file)});
      EXPECT_EQ(r.status, 2) << file << r.out;
      EXPECT_NE(r.err.find(path(file) + ": "), std::string::npos) << r.err;
      EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
    }
  }
  const Result flip = styx({"run", path("image"), "--flip", "7:0:0"});
  EXPECT_EQ(flip.status, 2);
  EXPECT_NE(flip.err.find("no segment 7"), std::string::npos) << flip.err;
}

TEST_P(Cli, DemoTellsTheStory) {
  const Result r = styx({"demo", "--arch", GetParam()});
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("handed off to the next kernel"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("named segment 1 (initrd) as corrupt"), std::string::npos) << r.out;
}

TEST(CliUsage, HelpAndUsageErrors) {
  Result r = styx({"--help"});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("build"), std::string::npos);
  r = styx({"build", "--help"});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("--segment"), std::string::npos);
  r = styx({});
  EXPECT_EQ(r.status, 2);
  r = styx({"frobnicate"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("unknown command 'frobnicate'"), std::string::npos) << r.err;
  r = styx({"build", "--arch", "arm64"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("required"), std::string::npos) << r.err;
  r = styx({"demo", "--arch", "sparc"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("unknown ISA"), std::string::npos) << r.err;
}

INSTANTIATE_TEST_SUITE_P(Isa, Cli, testing::ValuesIn(arch_names()), param_name);

}  // namespace
}  // namespace styx::test
