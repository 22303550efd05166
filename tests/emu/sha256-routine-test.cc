// The purgatory's choice of SHA-256 routine, run in the emulator: the console names it, the
// image can force the generic code, a CPU without the feature gets the generic code, and a
// corrupt segment is reported the same whichever routine hashed it.
#include <unicorn/unicorn.h>

#include <string>
#include <vector>

#include "fixture.h"
#include "machine.h"

namespace styx::test {
namespace {

// The hardware routine each ISA's purgatory picks on the emulated CPU; "" for none.
std::string expected_hardware(const std::string& arch) {
  if (arch == "arm64") return "armv8-ce";
  if (arch == "ppc64le") return "power8-crypto";
  return "";
}

// A feature register made to say "no": the instruction that reads it, and what it then reads.
struct HiddenFeature {
  std::string arch;
  uint32_t mask, match;  ///< (instruction & mask) == match; the destination register in bits 0-4
                         ///< (arm64) or 21-25 (ppc64)
  int shift;             ///< where the destination register number sits
  int reg0;              ///< Unicorn's id of register 0
  uint64_t value;        ///< what the purgatory reads instead
  std::string why;       ///< the console's reason
};

const HiddenFeature kHidden[] = {
    // mrs xN, id_aa64isar0_el1; SHA2 (bits 15:12) = 0, the rest of a Cortex-A57's value.
    {"arm64", 0xffffffe0, 0xd5380600, 0, UC_ARM64_REG_X0, 0x10000, "ID_AA64ISAR0_EL1.SHA2 is 0"},
    // mfpvr rN; a POWER7 (version 0x003f), which has no vector crypto.
    {"ppc64le", 0xfc1fffff, 0x7c1f42a6, 21, UC_PPC_REG_0, 0x003f0201,
     "the PVR names no POWER8 or later processor"},
};

const HiddenFeature* hidden_feature(const std::string& arch) {
  for (const HiddenFeature& h : kHidden)
    if (h.arch == arch) return &h;
  return nullptr;
}

class Sha256Routine : public testing::TestWithParam<std::string> {
 protected:
  const host::ArchInfo& arch() const { return *host::find_arch(GetParam()); }

  host::Image build_with(host::BuildRequest req, styx::Sha256Routine routine) const {
    req.sha256_routine = routine;
    return build(req);
  }
};

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// The FAIL lines of a console, in order.
std::vector<std::string> fail_lines(const std::string& console) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < console.size()) {
    size_t end = console.find('\n', start);
    if (end == std::string::npos) end = console.size();
    const std::string line = console.substr(start, end - start);
    if (line.rfind("styx: FAIL", 0) == 0) lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

TEST_P(Sha256Routine, ConsoleNamesTheRoutineAndTheImageCanForceGeneric) {
  const host::BuildRequest req = typical_request(arch());
  const host::Image automatic = build_with(req, styx::Sha256Routine::kAuto);
  const host::Image generic = build_with(req, styx::Sha256Routine::kGeneric);
  EXPECT_EQ(automatic.handoff.sha256_routine, static_cast<uint32_t>(styx::Sha256Routine::kAuto));
  EXPECT_EQ(generic.handoff.sha256_routine, static_cast<uint32_t>(styx::Sha256Routine::kGeneric));

  const emu::RunResult a = run(automatic), g = run(generic);
  ASSERT_EQ(a.outcome, emu::Outcome::kHandoff) << a.console << a.detail;
  ASSERT_EQ(g.outcome, emu::Outcome::kHandoff) << g.console << g.detail;
  EXPECT_EQ(a.register_problem, "");
  EXPECT_EQ(g.register_problem, "");
  const std::string hw = expected_hardware(GetParam());
  EXPECT_TRUE(contains(
      a.console,
      "styx: sha256: " + (hw.empty() ? "generic (no hardware routine for this ISA)" : hw) + "\n"))
      << a.console;
  EXPECT_TRUE(contains(g.console, "styx: sha256: generic (the image asks for it)\n")) << g.console;
  EXPECT_TRUE(contains(a.console, "styx: verified 3 segments, 17291 bytes")) << a.console;
  EXPECT_TRUE(contains(g.console, "styx: verified 3 segments, 17291 bytes")) << g.console;
  // The hardware routine costs a self-test up front and far less per byte; on 17 KiB it wins.
  if (!hw.empty()) EXPECT_LT(a.instructions, g.instructions);
}

// Every role's segment, a bit flipped at its start, middle and end: the same FAIL lines (expected
// and actual digest included) under both routines.
TEST_P(Sha256Routine, FlippedBitIsNamedIdenticallyUnderBothRoutines) {
  host::BuildRequest req = base_request(arch());
  for (uint32_t r = 0; r < kRoleCount; ++r)
    add_segment(req, static_cast<Role>(r), 0x100000 + r * 0x100000, 3000 + 7 * r);
  req.entry = req.segments[1].addr;
  const host::Image automatic = build_with(req, styx::Sha256Routine::kAuto);
  const host::Image generic = build_with(req, styx::Sha256Routine::kGeneric);
  for (uint32_t i = 0; i < kRoleCount; ++i) {
    const uint64_t size = automatic.segments[i].data.size();
    for (const cli::Flip flip :
         {cli::Flip{i, 0, 0}, cli::Flip{i, size / 2, 5}, cli::Flip{i, size - 1, 7}}) {
      SCOPED_TRACE("segment " + std::to_string(i) + " byte " + std::to_string(flip.byte));
      const emu::RunResult a = run(automatic, {flip}), g = run(generic, {flip});
      EXPECT_EQ(a.outcome, emu::Outcome::kFailure) << a.console;
      EXPECT_EQ(g.outcome, emu::Outcome::kFailure) << g.console;
      EXPECT_EQ(a.failed_segments, std::vector<uint32_t>{i});
      EXPECT_EQ(g.failed_segments, std::vector<uint32_t>{i});
      const std::vector<std::string> lines = fail_lines(a.console);
      ASSERT_EQ(lines.size(), 1u) << a.console;
      EXPECT_EQ(lines, fail_lines(g.console)) << g.console;
      EXPECT_TRUE(contains(lines[0], "styx: FAIL segment " + std::to_string(i) + " (" +
                                         role_name(static_cast<Role>(i)) + ")"))
          << lines[0];
    }
  }
}

// A CPU whose feature register says it has no SHA-256 instructions gets the generic code, says
// why, and still verifies (and still catches a flipped bit).
TEST_P(Sha256Routine, CpuWithoutTheFeatureRunsTheGenericCode) {
  const HiddenFeature* hidden = hidden_feature(GetParam());
  if (!hidden) GTEST_SKIP() << "no hardware routine on " << GetParam();
  const host::Image image = build(typical_request(arch()));
  const auto hide = [&](const std::vector<cli::Flip>& flips) {
    emu::RunInput in = cli::run_input(image, flips);
    in.max_instructions = 200'000'000;
    const emu::Chunk purgatory = in.chunks.back();
    int reads = 0;
    in.before_run = [hidden, purgatory, &reads](emu::Machine& machine) {
      reads = 0;
      const std::vector<uint8_t>& b = purgatory.bytes;
      for (size_t o = 0; o + 4 <= b.size(); o += 4) {
        const uint32_t insn = uint32_t{b[o]} | uint32_t{b[o + 1]} << 8 | uint32_t{b[o + 2]} << 16 |
                              uint32_t{b[o + 3]} << 24;
        if ((insn & hidden->mask) != hidden->match) continue;
        const int reg = hidden->reg0 + static_cast<int>((insn >> hidden->shift) & 31);
        // Before the next instruction, so the read itself ran: overwrite what it read.
        const uint64_t next = purgatory.addr + o + 4;
        machine.on_code(
            [&machine, reg, hidden, &reads](uint64_t, uint32_t) {
              machine.reg_write(reg, hidden->value);
              ++reads;
            },
            next, next);
      }
    };
    const emu::RunResult r = emu::run(in);
    EXPECT_EQ(reads, 1) << "the feature register is read once";
    return r;
  };
  const emu::RunResult r = hide({});
  ASSERT_EQ(r.outcome, emu::Outcome::kHandoff) << r.console << r.detail;
  EXPECT_TRUE(contains(r.console, "styx: sha256: generic (" + expected_hardware(GetParam()) + ": " +
                                      hidden->why + ")\n"))
      << r.console;
  EXPECT_TRUE(contains(r.console, "styx: verified 3 segments, 17291 bytes")) << r.console;
  const emu::RunResult bad = hide({{1, 100, 3}});
  EXPECT_EQ(bad.outcome, emu::Outcome::kFailure) << bad.console;
  EXPECT_EQ(bad.failed_segments, std::vector<uint32_t>{1});
  EXPECT_EQ(fail_lines(bad.console), fail_lines(run(image, {{1, 100, 3}}).console));
}

TEST_P(Sha256Routine, CliForcesTheGenericCode) {
  TestDir dir("styx-sha256");
  const auto data = pattern(5000, 7);
  dir.write("k.bin", data);
  const std::string base = host::hex(arch().demo_ram_base);
  const std::string seg =
      "kernel=" + dir.path("k.bin") + "@" + host::hex(arch().demo_ram_base + 0x200000);
  for (const std::string routine : {"auto", "generic"}) {
    SCOPED_TRACE(routine);
    const CliResult b =
        styx({"build", "--arch", GetParam(), "--segment", seg, "--entry",
              host::hex(arch().demo_ram_base + 0x200000), "--mem", base + ":0x4000000", "--sha256",
              routine, "-o", dir.path(routine + ".styx")});
    ASSERT_EQ(b.status, 0) << b.err;
    const CliResult r = styx({"run", dir.path(routine + ".styx")});
    EXPECT_EQ(r.status, 0) << r.out << r.err;
    EXPECT_EQ(contains(r.out, "styx: sha256: generic"),
              routine == "generic" || expected_hardware(GetParam()).empty())
        << r.out;
  }
  const CliResult bad = styx({"build", "--arch", GetParam(), "--segment", seg, "--entry",
                              host::hex(arch().demo_ram_base + 0x200000), "--mem",
                              base + ":0x4000000", "--sha256", "fast", "-o", dir.path("x.styx")});
  EXPECT_NE(bad.status, 0);
}

INSTANTIATE_TEST_SUITE_P(Isa, Sha256Routine, testing::ValuesIn(arch_names()), param_name);

}  // namespace
}  // namespace styx::test
