// SPDX-License-Identifier: GPL-2.0-only
// The flip campaign: random single-bit flips across every loaded byte of an image (its segments,
// the hand-off block, the purgatory), each run through the real purgatory in the emulator. Every
// flip must be named on the console (the segment, or the seal: "FAIL hand-off block" / "FAIL
// purgatory"), or lie in the code that does the checking, the one place no self-check can watch;
// no flip may reach the next kernel with wrong registers or data.
//
// STYX_FLIPS sets the flips per ISA (default: the short run the suite affords) and STYX_FLIP_SEED
// the seed (printed, so any run can be replayed). `cmake --build build --target flip-campaign`
// runs the full campaign (docs/RELIABILITY.md has its figures).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "fixture.h"
#include "machine.h"

namespace styx::test {
namespace {

constexpr uint64_t kDefaultFlips = 200;
constexpr uint64_t kDefaultSeed = 20261207;

uint64_t env_number(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 0) : fallback;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

struct Tally {
  uint64_t flips = 0;
  uint64_t segment_named = 0;          ///< "FAIL segment I" for the flipped segment
  uint64_t seal_named = 0;             ///< "FAIL hand-off block" or "FAIL purgatory"
  uint64_t seal_named_other_part = 0;  ///< ... the other of the two (see below)
  uint64_t in_checker = 0;        ///< in the checking code's bytes, whatever happened (but wrong)
  uint64_t in_checker_named = 0;  ///< ... and the flip's own part named
  uint64_t in_checker_reported = 0;  ///< ... or some other FAIL line, then a halt
  uint64_t in_checker_intact = 0;    ///< handed off with every register and byte as built
  uint64_t stopped = 0;              ///< outside the checker: fault, timeout or unnamed halt
  uint64_t undetected = 0;           ///< outside the checker: handed off, nothing wrong seen
  uint64_t wrong = 0;                ///< handed off with wrong registers or segment bytes
  uint64_t faults = 0;               ///< emulation stopped (fault, timeout), any part
};

class FlipCampaign : public testing::TestWithParam<std::string> {
 protected:
  const host::ArchInfo& arch() const { return *host::find_arch(GetParam()); }
};

// The purgatory bytes of instructions executed on the way to the seal's verdict and its report:
// traced (translation blocks) in one run whose block fails the seal and one whose purgatory
// does. A flip there can change the check itself.
std::vector<bool> checker_bytes(const host::Image& image, const emu::RunInput& clean) {
  std::vector<bool> executed(image.purgatory.size());
  const size_t field = image.handoff_offset + offsetof(Handoff, purgatory_sha256);
  for (const bool block_fails : {true, false}) {
    emu::RunInput in = clean;
    std::vector<uint8_t>& p = in.chunks.back().bytes;
    if (block_fails) {
      p[image.handoff_offset + offsetof(Handoff, handoff_sha256)] ^= 1;
    } else {
      // A wrong purgatory digest in a block that is itself sound.
      p[field] ^= 1;
      const host::Digest d = host::sha256(
          std::span(p).subspan(image.handoff_offset, offsetof(Handoff, handoff_sha256)));
      std::copy(d.begin(), d.end(), p.begin() + static_cast<ptrdiff_t>(field + kDigestSize));
    }
    const uint64_t base = image.purgatory_addr;
    in.before_run = [&executed, base](emu::Machine& machine) {
      machine.on_block(
          [&executed, base](uint64_t addr, uint32_t size) {
            for (uint64_t a = addr; a < addr + size && a - base < executed.size(); ++a)
              executed[a - base] = true;
          },
          base, base + executed.size() - 1);
    };
    const emu::RunResult r = emu::run(in);
    EXPECT_EQ(r.outcome, emu::Outcome::kFailure) << r.console << r.detail;
    EXPECT_TRUE(contains(
        r.console, block_fails ? "styx: FAIL hand-off block: corrupt" : "styx: FAIL purgatory "))
        << r.console;
  }
  return executed;
}

TEST_P(FlipCampaign, NoFlipReachesTheNextKernelWithWrongData) {
  const uint64_t flips = env_number("STYX_FLIPS", kDefaultFlips);
  const uint64_t seed = env_number("STYX_FLIP_SEED", kDefaultSeed);
  const host::Image image = build(typical_request(arch()));
  emu::RunInput clean = cli::run_input(image, {});
  const emu::RunResult first = emu::run(clean);
  ASSERT_EQ(first.outcome, emu::Outcome::kHandoff) << first.console << first.detail;
  // A flip that loops is stopped at a few times what a whole clean run takes.
  clean.max_instructions = 4 * first.instructions + 1'000'000;
  const std::vector<bool> checker = checker_bytes(image, clean);
  uint64_t checker_size = 0;
  for (const bool b : checker) checker_size += b;

  // Chunk i < segments: the i-th non-empty segment; the last chunk is the purgatory.
  std::vector<uint32_t> chunk_segment;
  for (uint32_t i = 0; i < image.segments.size(); ++i)
    if (!image.segments[i].data.empty()) chunk_segment.push_back(i);
  uint64_t total = 0;
  for (const emu::Chunk& c : clean.chunks) total += c.bytes.size();

  std::mt19937_64 rng(seed);
  Tally t;
  const auto started = std::chrono::steady_clock::now();
  for (uint64_t n = 0; n < flips; ++n) {
    uint64_t at = rng() % total;
    const unsigned bit = static_cast<unsigned>(rng() % 8);
    size_t chunk = 0;
    while (at >= clean.chunks[chunk].bytes.size()) at -= clean.chunks[chunk++].bytes.size();
    const bool in_purgatory = chunk + 1 == clean.chunks.size();
    const bool in_block =
        in_purgatory && at >= image.handoff_offset && at < image.handoff_offset + sizeof(Handoff);
    const bool in_checker_code = in_purgatory && checker[at];

    emu::RunInput in = clean;
    in.chunks[chunk].bytes[at] ^= static_cast<uint8_t>(1u << bit);
    bool data_intact = true;
    in.after_run = [&image, &data_intact](emu::Machine& machine, emu::RunResult& r) {
      if (r.outcome != emu::Outcome::kHandoff) return;
      data_intact = true;
      for (const host::ImageSegment& s : image.segments)
        if (machine.read(s.addr, s.data.size()) != s.data) data_intact = false;
    };
    emu::RunResult r;
    try {
      r = emu::run(in);
    } catch (const std::exception& e) {
      // Unicorn 2.0.1 reports a riscv64 block that ends in an illegal instruction with a wrapped
      // size, which the emulator cannot count: the run stopped there all the same.
      r.outcome = emu::Outcome::kFault;
      r.detail = e.what();
    }
    const std::string where =
        in_purgatory ? "purgatory+" + host::hex(at)
                     : "segment " + std::to_string(chunk_segment[chunk]) + "+" + host::hex(at);
    SCOPED_TRACE(where + " bit " + std::to_string(bit));

    ++t.flips;
    if (r.outcome == emu::Outcome::kFault || r.outcome == emu::Outcome::kTimeout) ++t.faults;
    if (r.outcome == emu::Outcome::kHandoff && (!data_intact || !r.register_problem.empty())) {
      ++t.wrong;
      ADD_FAILURE() << "wrong hand-off: " << r.register_problem << r.console;
      continue;
    }
    // A flip in data the checking code reads (SHA-256's round constants) breaks every digest it
    // computes: the block's, checked first, fails then, whatever part the flip is in.
    const bool seal_line = contains(r.console, "styx: FAIL hand-off block") ||
                           contains(r.console, "styx: FAIL purgatory ");
    const bool exact =
        in_purgatory
            ? contains(r.console, in_block ? "styx: FAIL hand-off block" : "styx: FAIL purgatory ")
            : contains(r.console,
                       "styx: FAIL segment " + std::to_string(chunk_segment[chunk]) + " (");
    const bool named = r.outcome == emu::Outcome::kFailure && (in_purgatory ? seal_line : exact);
    if (in_checker_code) {
      ++t.in_checker;
      if (named)
        ++t.in_checker_named;
      else if (r.outcome == emu::Outcome::kFailure && contains(r.console, "styx: FAIL"))
        ++t.in_checker_reported;
      if (r.outcome == emu::Outcome::kHandoff) ++t.in_checker_intact;
    } else if (named) {
      ++(in_purgatory ? t.seal_named : t.segment_named);
      if (!exact) ++t.seal_named_other_part;
    } else if (r.outcome == emu::Outcome::kHandoff) {
      ++t.undetected;
      ADD_FAILURE() << "a flip outside the checking code was not detected:\n" << r.console;
    } else {
      ++t.stopped;
      std::string console = r.console.substr(0, 300);
      std::replace(console.begin(), console.end(), '\n', '|');
      std::printf("stopped, not named: %s bit %u: %s; %s; console: %s\n", where.c_str(), bit,
                  emu::outcome_name(r.outcome), r.detail.c_str(), console.c_str());
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf(
      "flip campaign %s: seed %llu, %llu flips over %llu bytes (%llu checking-code bytes), "
      "%.1f s (%.1f ms a run): %llu segment named, %llu seal named (%llu as the other part), %llu "
      "in the checker "
      "(%llu named, %llu another FAIL line, %llu handed off intact), %llu stopped unnamed, %llu "
      "emulation stops, "
      "%llu undetected, %llu wrong\n",
      GetParam().c_str(), static_cast<unsigned long long>(seed),
      static_cast<unsigned long long>(t.flips), static_cast<unsigned long long>(total),
      static_cast<unsigned long long>(checker_size), seconds,
      1000 * seconds / double(flips ? flips : 1), static_cast<unsigned long long>(t.segment_named),
      static_cast<unsigned long long>(t.seal_named),
      static_cast<unsigned long long>(t.seal_named_other_part),
      static_cast<unsigned long long>(t.in_checker),
      static_cast<unsigned long long>(t.in_checker_named),
      static_cast<unsigned long long>(t.in_checker_reported),
      static_cast<unsigned long long>(t.in_checker_intact),
      static_cast<unsigned long long>(t.stopped), static_cast<unsigned long long>(t.faults),
      static_cast<unsigned long long>(t.undetected), static_cast<unsigned long long>(t.wrong));
  std::fflush(stdout);
  EXPECT_EQ(t.wrong, 0u);
  EXPECT_EQ(t.undetected, 0u);
}

INSTANTIATE_TEST_SUITE_P(Isa, FlipCampaign, testing::ValuesIn(arch_names()), param_name);

}  // namespace
}  // namespace styx::test
