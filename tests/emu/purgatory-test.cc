// SPDX-License-Identifier: GPL-2.0-only
// The real purgatory of every ISA, run in the emulator: hand-off, detection, failure policies.
#include <cstddef>
#include <string>

#include "fixture.h"
#include "profile.h"

namespace styx::test {
namespace {

class Emu : public testing::TestWithParam<std::string> {
 protected:
  const host::ArchInfo& arch() const { return *host::find_arch(GetParam()); }
  // Messages about an untrusted hand-off block reach only the default console: where the
  // emulator cannot see that console (a port without a console model) there is nothing to compare.
  bool sees_default_console() const { return emu::find_profile(GetParam())->has_console_device(); }
};

// How the emulator names the reset device each method reaches.
std::string emulated_reset_name(ResetMethod method) {
  switch (method) {
    case ResetMethod::kPortCf9: return "port 0xcf9";
    case ResetMethod::kPsciHvc: return "psci hvc";
    case ResetMethod::kPsciSmc: return "psci smc";
    case ResetMethod::kSbiSrst: return "sbi srst";
    case ResetMethod::kPseriesRtas: return "pseries rtas";
    case ResetMethod::kDiag308: return "diag 308";
    default: return "unknown";
  }
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST_P(Emu, HandsOffWithBootRegisters) {
  const host::Image image = build(typical_request(arch()));
  const emu::RunResult r = run(image);
  ASSERT_EQ(r.outcome, emu::Outcome::kHandoff) << r.console << r.detail;
  EXPECT_EQ(r.pc, image.handoff.entry);
  EXPECT_EQ(r.register_problem, "");
  const std::string reg(arch().boot_data_register());
  EXPECT_EQ(r.registers.at(reg), image.segments[2].addr);
  EXPECT_TRUE(contains(r.console, "styx: verifying 3 segments\n")) << r.console;
  EXPECT_TRUE(contains(r.console, "styx: verified 3 segments, 17291 bytes")) << r.console;
  // What verification cost, from whatever timer the emulated CPU has
  // (tests/unit/verify-time-test.cc checks the figures).
  EXPECT_TRUE(contains(r.console, "styx: verified 0.0 MiB")) << r.console;
  EXPECT_TRUE(r.failed_segments.empty());
  ASSERT_TRUE(r.log.has_value());
  EXPECT_EQ(r.log->status, static_cast<uint32_t>(LogStatus::kVerified));
  EXPECT_EQ(r.log->bytes_verified, 17291u);
  EXPECT_EQ(r.log_text, r.console) << "everything printed also goes to the memory log";
  EXPECT_GT(r.instructions, 17291u) << "hashing costs at least an instruction per byte";
}

TEST_P(Emu, EveryConsoleLineHasTheStablePrefix) {
  const emu::RunResult r = run(build(typical_request(arch())), {{1, 7, 0}});
  size_t lines = 0;
  size_t start = 0;
  while (start < r.console.size()) {
    size_t end = r.console.find('\n', start);
    if (end == std::string::npos) end = r.console.size();
    const std::string line = r.console.substr(start, end - start);
    if (!line.empty()) {
      EXPECT_EQ(line.rfind("styx: ", 0), 0u) << line;
      ++lines;
    }
    start = end + 1;
  }
  EXPECT_GE(lines, 4u);
}

// For each role: a flipped first byte, last byte and middle bit is detected and named, with no
// hand-off.
TEST_P(Emu, CorruptSegmentOfEveryRoleIsNamed) {
  host::BuildRequest req = base_request(arch());
  for (uint32_t r = 0; r < kRoleCount; ++r)
    add_segment(req, static_cast<Role>(r), 0x100000 + r * 0x100000, 3000 + 7 * r);
  req.entry = req.segments[1].addr;
  const host::Image image = build(req);
  for (uint32_t i = 0; i < kRoleCount; ++i) {
    const uint64_t size = image.segments[i].data.size();
    for (const cli::Flip flip :
         {cli::Flip{i, 0, 0}, cli::Flip{i, size - 1, 7}, cli::Flip{i, size / 2, 4}}) {
      SCOPED_TRACE("segment " + std::to_string(i) + " byte " + std::to_string(flip.byte));
      const emu::RunResult r = run(image, {flip});
      EXPECT_EQ(r.outcome, emu::Outcome::kFailure) << r.console;
      EXPECT_NE(r.pc, image.handoff.entry);
      EXPECT_EQ(r.failed_segments, std::vector<uint32_t>{i});
      const std::string role = role_name(static_cast<Role>(i));
      EXPECT_TRUE(contains(r.console, "styx: FAIL segment " + std::to_string(i) + " (" + role +
                                          ") " + host::hex(image.segments[i].addr) + "+" +
                                          host::hex(size) + ": sha256 expected " +
                                          host::to_hex(image.handoff.segments[i].sha256) +
                                          " actual "))
          << r.console;
      EXPECT_TRUE(contains(r.console, "styx: 1 of 6 segments failed verification\n")) << r.console;
      EXPECT_TRUE(contains(r.console, "halted")) << r.console;
    }
  }
}

// The IMA buffer's digest can match while its structure is wrong (a host bug, or a list that was
// truncated before it was hashed): the purgatory checks the structure too and names the record.
TEST_P(Emu, MalformedImaBufferIsNamedEvenWithAMatchingDigest) {
  host::BuildRequest req = typical_request(arch());
  std::vector<uint8_t> ima = ima_buffer(0, arch().big_endian, 3);
  poke(ima, 16, 4, 8, arch().big_endian);  // count: 4 records, the buffer holds 3
  req.segments.push_back({Role::kIma, "ima", arch().demo_ram_base + 0x2100000, ima});
  const emu::RunResult r = run(build(req));
  EXPECT_EQ(r.outcome, emu::Outcome::kFailure) << r.console;
  EXPECT_EQ(r.failed_segments, std::vector<uint32_t>{3});
  EXPECT_TRUE(contains(r.console, "FAIL segment 3 (ima) " +
                                      host::hex(arch().demo_ram_base + 0x2100000) + "+" +
                                      host::hex(ima.size()) + ": IMA record 3 at offset "))
      << r.console;
}

TEST_P(Emu, SeveralBadSegmentsAreAllListed) {
  const host::Image image = build(typical_request(arch()));
  const emu::RunResult r = run(image, {{0, 100, 1}, {2, 4095, 0}});
  EXPECT_EQ(r.outcome, emu::Outcome::kFailure);
  EXPECT_EQ(r.failed_segments, (std::vector<uint32_t>{0, 2}));
  EXPECT_TRUE(contains(r.console, "FAIL segment 0 (kernel)")) << r.console;
  EXPECT_TRUE(
      contains(r.console, "FAIL segment 2 (" + std::string(role_name(arch().boot_data_role)) + ")"))
      << r.console;
  EXPECT_FALSE(contains(r.console, "FAIL segment 1")) << r.console;
  EXPECT_TRUE(contains(r.console, "styx: 2 of 3 segments failed verification")) << r.console;
}

TEST_P(Emu, ZeroAndOddLengthSegmentsVerify) {
  host::BuildRequest req = base_request(arch());
  add_segment(req, Role::kKernel, 0x200000, 1);
  add_segment(req, Role::kData, 0x300000, 0);
  add_segment(req, Role::kInitrd, 0x400000, 63);
  add_segment(req, Role::kData, 0x500000, 65);
  add_segment(req, Role::kData, 0x600001, 4097);  // odd address too
  req.entry = req.segments[0].addr;
  const host::Image image = build(req);
  const emu::RunResult r = run(image);
  EXPECT_EQ(r.outcome, emu::Outcome::kHandoff) << r.console;
  EXPECT_TRUE(contains(r.console, "verified 5 segments, 4226 bytes")) << r.console;
  const emu::RunResult bad = run(image, {{4, 4096, 2}});
  EXPECT_EQ(bad.failed_segments, std::vector<uint32_t>{4}) << bad.console;
}

TEST_P(Emu, BadMagicIsAFailureOnTheDefaultConsole) {
  const host::Image image = build(typical_request(arch()));
  const emu::RunResult r = run(image, {}, [&](std::vector<uint8_t>& p) {
    poke(p, image.handoff_offset + offsetof(Handoff, magic), 0x1122334455667788ull, 8,
         arch().big_endian);
  });
  EXPECT_EQ(r.outcome, emu::Outcome::kFailure) << r.console << r.detail;
  if (sees_default_console()) {
    EXPECT_TRUE(contains(r.console, "styx: FAIL hand-off block: bad magic 0x1122334455667788"))
        << r.console;
  }
  EXPECT_FALSE(r.log.has_value()) << "an untrusted block's log address is not used";
}

// The seal, checked before anything in the block is used: a flipped bit in the block (here the
// entry) or in the purgatory's own bytes (here the padding before the block, which nothing reads)
// stops the boot with a line on the default console and no memory log.
TEST_P(Emu, BrokenSealIsAFailureOnTheDefaultConsole) {
  const host::Image image = build(typical_request(arch()));
  const struct {
    size_t offset;
    std::string line;
  } cases[] = {
      {image.handoff_offset + offsetof(Handoff, entry),
       "styx: FAIL hand-off block: corrupt, sha256 expected " +
           host::to_hex(image.handoff.handoff_sha256) + " actual "},
      {image.handoff_offset + offsetof(Handoff, handoff_sha256) + 31,
       "styx: FAIL hand-off block: corrupt"},
      {image.handoff_offset - 1, "styx: FAIL purgatory " + host::hex(image.purgatory_addr) + "+" +
                                     host::hex(image.purgatory.size()) +
                                     ": corrupt, sha256 expected " +
                                     host::to_hex(image.handoff.purgatory_sha256) + " actual "},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.line);
    const emu::RunResult r = run(
        image, {}, [&](std::vector<uint8_t>& p) { p[c.offset] ^= 0x10; }, false);
    EXPECT_EQ(r.outcome, emu::Outcome::kFailure) << r.console << r.detail;
    EXPECT_NE(r.pc, image.handoff.entry);
    if (sees_default_console()) {
      EXPECT_TRUE(contains(r.console, c.line)) << r.console;
      EXPECT_TRUE(contains(r.console, "styx: not starting the next kernel; halted")) << r.console;
      EXPECT_FALSE(contains(r.console, "styx: verifying")) << r.console;
    }
    EXPECT_FALSE(r.log.has_value()) << "an unsealed block's log address is not used";
  }
}

// Even with the reset policy: the policy is in the block, which is not trusted.
TEST_P(Emu, BrokenSealHaltsWhateverThePolicy) {
  host::BuildRequest req = typical_request(arch());
  req.policy = FailurePolicy::kReset;
  const host::Image image = build(req);
  const emu::RunResult r = run(
      image, {}, [&](std::vector<uint8_t>& p) { p[image.handoff_offset + 8] ^= 1; }, false);
  EXPECT_EQ(r.outcome, emu::Outcome::kFailure) << r.console << r.detail;
}

TEST_P(Emu, VersionTwoBlockIsRefused) {
  const host::Image image = build(typical_request(arch()));
  const emu::RunResult r = run(image, {}, [&](std::vector<uint8_t>& p) {
    poke(p, image.handoff_offset + offsetof(Handoff, version), 2, 4, arch().big_endian);
  });
  EXPECT_EQ(r.outcome, emu::Outcome::kFailure);
  if (sees_default_console()) {
    EXPECT_TRUE(contains(r.console,
                         "styx: FAIL hand-off block: version 2, this purgatory reads "
                         "version 3"))
        << r.console;
  }
}

TEST_P(Emu, BadVersionIsAFailure) {
  const host::Image image = build(typical_request(arch()));
  const emu::RunResult r = run(image, {}, [&](std::vector<uint8_t>& p) {
    poke(p, image.handoff_offset + offsetof(Handoff, version), kHandoffVersion + 1, 4,
         arch().big_endian);
  });
  EXPECT_EQ(r.outcome, emu::Outcome::kFailure);
  if (sees_default_console()) {
    EXPECT_TRUE(contains(
        r.console, "styx: FAIL hand-off block: version " + std::to_string(kHandoffVersion + 1) +
                       ", this purgatory reads version " + std::to_string(kHandoffVersion)))
        << r.console;
  }
}

TEST_P(Emu, TooManySegmentsIsAFailure) {
  const host::Image image = build(typical_request(arch()));
  const emu::RunResult r = run(image, {}, [&](std::vector<uint8_t>& p) {
    poke(p, image.handoff_offset + offsetof(Handoff, segment_count), 33, 4, arch().big_endian);
  });
  EXPECT_EQ(r.outcome, emu::Outcome::kFailure);
  if (sees_default_console()) {
    EXPECT_TRUE(contains(r.console, "33 segments, at most 32")) << r.console;
  }
}

TEST_P(Emu, WrappingSegmentIsAFailure) {
  const host::Image image = build(typical_request(arch()));
  const size_t seg1 = image.handoff_offset + offsetof(Handoff, segments) + sizeof(Segment);
  const emu::RunResult r = run(image, {}, [&](std::vector<uint8_t>& p) {
    poke(p, seg1 + offsetof(Segment, addr), 0xfffffffffffff000ull, 8, arch().big_endian);
  });
  EXPECT_EQ(r.outcome, emu::Outcome::kFailure);
  EXPECT_EQ(r.failed_segments, std::vector<uint32_t>{1});
  EXPECT_TRUE(
      contains(r.console, "FAIL segment 1 (initrd) 0xfffffffffffff000+0x138b: address range wraps"))
      << r.console;
}

TEST_P(Emu, SegmentOverlappingThePurgatoryIsAFailure) {
  const host::Image image = build(typical_request(arch()));
  const size_t seg0 = image.handoff_offset + offsetof(Handoff, segments);
  const emu::RunResult r = run(image, {}, [&](std::vector<uint8_t>& p) {
    poke(p, seg0 + offsetof(Segment, addr), image.purgatory_addr + 64, 8, arch().big_endian);
  });
  EXPECT_EQ(r.outcome, emu::Outcome::kFailure);
  EXPECT_EQ(r.failed_segments, std::vector<uint32_t>{0});
  EXPECT_TRUE(contains(r.console, "overlaps the purgatory at " + host::hex(image.purgatory_addr)))
      << r.console;
}

TEST_P(Emu, ResetPolicyReachesEveryResetDevice) {
  for (ResetMethod method : arch().reset_methods) {
    host::BuildRequest req = typical_request(arch());
    req.policy = FailurePolicy::kReset;
    req.reset_method = method;
    const host::Image image = build(req);
    const emu::RunResult r = run(image, {{1, 2, 3}});
    EXPECT_EQ(r.outcome, emu::Outcome::kReset) << r.console << r.detail;
    EXPECT_EQ(r.failed_segments, std::vector<uint32_t>{1});
    EXPECT_TRUE(contains(r.console, "resetting through")) << r.console;
    EXPECT_EQ(r.reset_method, emulated_reset_name(method));
    // The same image with nothing corrupt still hands off.
    EXPECT_EQ(run(image).outcome, emu::Outcome::kHandoff);
  }
}

TEST_P(Emu, PurgatoryRunsAtANonPageAlignedAddress) {
  host::BuildRequest req = typical_request(arch());
  req.purgatory_addr = arch().demo_ram_base + 0x3000000 + 0x1220;  // 32-byte aligned only
  const host::Image image = build(req);
  ASSERT_NE(image.purgatory_addr % 4096, 0u);
  const emu::RunResult r = run(image);
  EXPECT_EQ(r.outcome, emu::Outcome::kHandoff) << r.console << r.detail;
  EXPECT_EQ(r.register_problem, "");
  EXPECT_EQ(run(image, {{0, 1, 1}}).failed_segments, std::vector<uint32_t>{0});
}

TEST_P(Emu, SilentConsoleStillLogsToMemory) {
  host::BuildRequest req = typical_request(arch());
  req.console = Console{};
  const emu::RunResult r = run(build(req), {{0, 5, 5}});
  EXPECT_EQ(r.outcome, emu::Outcome::kFailure);
  // Without a console device model the runner reports the memory log as the console.
  if (emu::find_profile(GetParam())->has_console_device()) {
    EXPECT_EQ(r.console, "");
  }
  EXPECT_TRUE(contains(r.log_text, "FAIL segment 0 (kernel)")) << r.log_text;
}

TEST_P(Emu, BudgetExhaustionIsATimeout) {
  const host::Image image = build(typical_request(arch()));
  emu::RunInput in = cli::run_input(image, {});
  in.max_instructions = 5000;
  const emu::RunResult r = emu::run(in);
  EXPECT_EQ(r.outcome, emu::Outcome::kTimeout);
  EXPECT_LE(r.instructions, 5000u);
}

INSTANTIATE_TEST_SUITE_P(Isa, Emu, testing::ValuesIn(arch_names()), param_name);

}  // namespace
}  // namespace styx::test
