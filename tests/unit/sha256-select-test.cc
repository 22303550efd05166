// SPDX-License-Identifier: GPL-2.0-only
// The choice of SHA-256 routine (purgatory/sha256-select.cc) with stand-in detections: the
// hardware routine only when allowed, present and correct, one console line in every case.
#include "sha256-select.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "verify.h"

namespace {

using styx::Handoff;
using styx::Sha256Blocks;
using styx::Sha256Hardware;

class StringSink final : public styx::Sink {
 public:
  void put(char c) override { text.push_back(c); }
  std::string text;
};

int detections = 0;

// A correct routine that is not the generic function itself.
void good_blocks(uint32_t state[8], const uint8_t* data, size_t blocks) {
  styx::sha256_blocks_generic(state, data, blocks);
}
// Right on aligned input only: the self-test must try both.
void wrong_when_unaligned(uint32_t state[8], const uint8_t* data, size_t blocks) {
  styx::sha256_blocks_generic(state, data, blocks);
  if (reinterpret_cast<uintptr_t>(data) & 3) state[7] ^= 1;
}

Sha256Hardware present() {
  ++detections;
  return {.name = "fake-ce", .blocks = good_blocks};
}
Sha256Hardware absent() {
  ++detections;
  return {.name = "fake-ce", .why_not = "FEATURE is 0"};
}
Sha256Hardware lying() {
  ++detections;
  return {.name = "fake-ce", .blocks = wrong_when_unaligned};
}
Sha256Hardware none() {
  ++detections;
  return {};
}

Handoff handoff(styx::Sha256Routine routine) {
  Handoff h{};
  h.sha256_routine = static_cast<uint32_t>(routine);
  return h;
}

struct Case {
  const char* what;
  styx::Sha256Routine routine;
  Sha256Hardware (*detect)();
  Sha256Blocks expected;
  const char* line;
  int detections;
};

TEST(SelectSha256, HardwareOnlyWhenAllowedPresentAndCorrect) {
  using R = styx::Sha256Routine;
  const Case cases[] = {
      {"present", R::kAuto, present, good_blocks, "styx: sha256: fake-ce\n", 1},
      {"forced generic: detection never runs", R::kGeneric, present, styx::sha256_blocks_generic,
       "styx: sha256: generic (the image asks for it)\n", 0},
      {"feature absent", R::kAuto, absent, styx::sha256_blocks_generic,
       "styx: sha256: generic (fake-ce: FEATURE is 0)\n", 1},
      {"wrong results", R::kAuto, lying, styx::sha256_blocks_generic,
       "styx: sha256: generic (fake-ce failed its self-test)\n", 1},
      {"no routine for the ISA", R::kAuto, none, styx::sha256_blocks_generic,
       "styx: sha256: generic (no hardware routine for this ISA)\n", 1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    detections = 0;
    StringSink out;
    const styx::Sha256Choice chosen = styx::select_sha256(handoff(c.routine), c.detect, out);
    EXPECT_EQ(chosen.blocks, c.expected);
    EXPECT_STREQ(chosen.name, c.expected == styx::sha256_blocks_generic ? "generic" : "fake-ce");
    EXPECT_EQ(out.text, c.line);
    EXPECT_EQ(detections, c.detections);
  }
}

TEST(SelectSha256, AnUnknownRoutineValueMeansGeneric) {
  Handoff h{};
  h.sha256_routine = 7;
  StringSink out;
  detections = 0;
  EXPECT_EQ(styx::select_sha256(h, present, out).blocks, styx::sha256_blocks_generic);
  EXPECT_EQ(detections, 0);
}

// A mismatch reads the same whichever routine computed the digest.
TEST(SelectSha256, CorruptSegmentIsReportedIdenticallyByEitherRoutine) {
  std::vector<uint8_t> data(5000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 13 + 1);
  Handoff h{};
  h.magic = styx::kHandoffMagic;
  h.version = styx::kHandoffVersion;
  h.size = sizeof(Handoff);
  h.segment_count = 1;
  h.segments[0].addr = reinterpret_cast<uintptr_t>(data.data() + 1);  // odd address too
  h.segments[0].size = data.size() - 1;
  styx::sha256(data.data() + 1, data.size() - 1, h.segments[0].sha256);
  data[2500] ^= 0x10;
  StringSink generic, hardware;
  const styx::Range self{0, 0};
  const auto g = styx::verify_segments(h, self, generic, styx::sha256_blocks_generic);
  const auto w = styx::verify_segments(h, self, hardware, good_blocks);
  EXPECT_EQ(g.failed_mask, 1u);
  EXPECT_EQ(w.failed_mask, 1u);
  EXPECT_NE(generic.text.find("styx: FAIL segment 0 (data)"), std::string::npos) << generic.text;
  EXPECT_EQ(generic.text, hardware.text);
}

// The known-answer block the ISAs run under their own exception handling: the generic code gets
// it right, and any wrong bit in the state is caught.
TEST(SelectSha256, KnownAnswerBlockIsAbcAndCatchesAWrongState) {
  uint8_t block[styx::kSha256BlockSize];
  uint32_t state[8];
  styx::sha256_known_answer_input(block, state);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(block), 3), "abc");
  EXPECT_FALSE(styx::sha256_known_answer_ok(state)) << "the initial state is not the digest";
  styx::sha256_blocks_generic(state, block, 1);
  EXPECT_TRUE(styx::sha256_known_answer_ok(state));
  for (int word = 0; word < 8; ++word) {
    state[word] ^= 1u << (word * 4);
    EXPECT_FALSE(styx::sha256_known_answer_ok(state)) << word;
    state[word] ^= 1u << (word * 4);
  }
}

}  // namespace
