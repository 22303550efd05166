// SPDX-License-Identifier: GPL-2.0-only
// The purgatory's checks of the hand-off block and of the segments, run on host buffers.
#include "verify.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "digest.h"

namespace {

using styx::Handoff;
using styx::HandoffError;

class StringSink final : public styx::Sink {
 public:
  void put(char c) override { text.push_back(c); }
  std::string text;
};

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t at; (at = text.find('\n', start)) != std::string::npos; start = at + 1)
    out.push_back(text.substr(start, at - start));
  if (start < text.size()) out.push_back(text.substr(start));
  return out;
}

uint64_t addr_of(const void* p) {
  return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(p));
}

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

Handoff sound_header() {
  Handoff h{};
  h.magic = styx::kHandoffMagic;
  h.version = styx::kHandoffVersion;
  h.size = sizeof(Handoff);
  return h;
}

// Host buffers described as segments of a hand-off block, with correct digests.
class VerifySegments : public ::testing::Test {
 protected:
  // Adds a segment over `buffers_[i]` and returns its index.
  uint32_t add(size_t size, styx::Role role) {
    std::mt19937 rng(static_cast<uint32_t>(size) + handoff_.segment_count);
    auto& buf = buffers_.emplace_back(size);
    for (auto& b : buf) b = static_cast<uint8_t>(rng());
    const uint32_t i = handoff_.segment_count++;
    auto& s = handoff_.segments[i];
    s.addr = addr_of(buf.data());
    s.size = size;
    s.role = static_cast<uint32_t>(role);
    const auto d = styx::host::sha256(buf);
    std::copy(d.begin(), d.end(), s.sha256);
    return i;
  }

  std::string expected_hex(uint32_t i) const {
    return styx::host::to_hex(handoff_.segments[i].sha256);
  }
  std::string actual_hex(uint32_t i) const {
    return styx::host::to_hex(styx::host::sha256(buffers_[i]));
  }

  styx::VerifyResult run() { return styx::verify_segments(handoff_, self_, out_); }

  Handoff handoff_ = sound_header();
  std::vector<std::vector<uint8_t>> buffers_ = reserve();
  // The purgatory's own memory: a separate buffer that no segment touches unless a test says so.
  std::vector<uint8_t> self_buffer_ = std::vector<uint8_t>(256);
  styx::Range self_{addr_of(self_buffer_.data()), addr_of(self_buffer_.data()) + 256};
  StringSink out_;

 private:
  // Segment addresses point into the buffers: they must never move.
  static std::vector<std::vector<uint8_t>> reserve() {
    std::vector<std::vector<uint8_t>> v;
    v.reserve(styx::kMaxSegments);
    return v;
  }
};

TEST(CheckHandoff, AcceptsASoundHeader) {
  StringSink out;
  Handoff h = sound_header();
  h.segment_count = styx::kMaxSegments;
  EXPECT_EQ(styx::check_handoff(h, out), HandoffError::kNone);
  EXPECT_EQ(out.text, "");
}

struct BadHeaderCase {
  const char* what;
  void (*spoil)(Handoff&);
  HandoffError error;
  const char* detail;
};

TEST(CheckHandoff, RejectsEachBadFieldWithOneLine) {
  const BadHeaderCase cases[] = {
      {"magic", [](Handoff& h) { h.magic = 0; }, HandoffError::kBadMagic,
       "bad magic 0x0000000000000000"},
      {"magic byte-swapped", [](Handoff& h) { h.magic = __builtin_bswap64(styx::kHandoffMagic); },
       HandoffError::kBadMagic, "bad magic 0x53545958484f4646"},
      {"version", [](Handoff& h) { h.version = 1; }, HandoffError::kBadVersion,
       "version 1, this purgatory reads version 3"},
      {"size", [](Handoff& h) { h.size = sizeof(Handoff) - 56; }, HandoffError::kBadSize,
       "expected 2024"},
      {"segment count", [](Handoff& h) { h.segment_count = styx::kMaxSegments + 1; },
       HandoffError::kTooManySegments, "33 segments, at most 32"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    Handoff h = sound_header();
    c.spoil(h);
    StringSink out;
    EXPECT_EQ(styx::check_handoff(h, out), c.error);
    const auto got = lines(out.text);
    ASSERT_EQ(got.size(), 1u) << out.text;
    EXPECT_EQ(got[0].rfind("styx: FAIL hand-off block", 0), 0u) << got[0];
    EXPECT_NE(got[0].find(c.detail), std::string::npos) << got[0];
    EXPECT_EQ(out.text.back(), '\n');
  }
}

TEST(CheckHandoff, ReportsOnlyTheFirstProblem) {
  Handoff h{};  // everything wrong
  h.segment_count = 1000;
  StringSink out;
  EXPECT_EQ(styx::check_handoff(h, out), HandoffError::kBadMagic);
  EXPECT_EQ(lines(out.text).size(), 1u);
}

TEST_F(VerifySegments, AllGoodPrintsNothingAndCountsBytes) {
  add(4096, styx::Role::kKernel);
  add(1000, styx::Role::kInitrd);
  add(17, styx::Role::kDtb);
  const auto r = run();
  EXPECT_EQ(out_.text, "");
  EXPECT_EQ(r.failed_mask, 0u);
  EXPECT_EQ(r.failed, 0u);
  EXPECT_EQ(r.bytes_verified, 4096u + 1000u + 17u);
}

TEST_F(VerifySegments, NoSegmentsIsFine) {
  const auto r = run();
  EXPECT_EQ(out_.text, "");
  EXPECT_EQ(r.failed_mask, 0u);
  EXPECT_EQ(r.bytes_verified, 0u);
}

TEST_F(VerifySegments, FlippedByteAnywhereIsReportedWithBothDigests) {
  const size_t size = 3000;
  for (const size_t where : {size_t{0}, size / 2, size - 1}) {
    SCOPED_TRACE("flipped byte at " + std::to_string(where));
    buffers_.clear();
    handoff_ = sound_header();
    out_.text.clear();
    add(512, styx::Role::kData);
    const uint32_t bad = add(size, styx::Role::kInitrd);
    add(64, styx::Role::kDtb);
    buffers_[bad][where] ^= 0x01;

    const auto r = run();
    EXPECT_EQ(r.failed_mask, 1u << bad);
    EXPECT_EQ(r.failed, 1u);
    EXPECT_EQ(r.bytes_verified, 512u + 64u);
    const auto got = lines(out_.text);
    ASSERT_EQ(got.size(), 1u) << out_.text;
    const auto& s = handoff_.segments[bad];
    EXPECT_EQ(got[0], "styx: FAIL segment 1 (initrd) " + hex(s.addr) + "+" + hex(s.size) +
                          ": sha256 expected " + expected_hex(bad) + " actual " + actual_hex(bad));
    EXPECT_NE(expected_hex(bad), actual_hex(bad));
  }
}

TEST_F(VerifySegments, EveryBadSegmentIsListed) {
  for (int i = 0; i < 6; ++i) add(100 + i, static_cast<styx::Role>(i % styx::kRoleCount));
  for (const uint32_t i : {0u, 3u, 5u}) buffers_[i][10] ^= 0x80;
  const auto r = run();
  EXPECT_EQ(r.failed_mask, (1u << 0) | (1u << 3) | (1u << 5));
  EXPECT_EQ(r.failed, 3u);
  EXPECT_EQ(r.bytes_verified, 101u + 102u + 104u);
  const auto got = lines(out_.text);
  ASSERT_EQ(got.size(), 3u) << out_.text;
  EXPECT_EQ(got[0].rfind("styx: FAIL segment 0 (data) ", 0), 0u) << got[0];
  EXPECT_EQ(got[1].rfind("styx: FAIL segment 3 (dtb) ", 0), 0u) << got[1];
  EXPECT_EQ(got[2].rfind("styx: FAIL segment 5 (ima) ", 0), 0u) << got[2];
}

TEST_F(VerifySegments, LastOfThirtyTwoSegmentsSetsTheTopMaskBit) {
  for (uint32_t i = 0; i < styx::kMaxSegments; ++i) add(8, styx::Role::kData);
  buffers_[31][0] ^= 1;
  const auto r = run();
  EXPECT_EQ(r.failed_mask, 0x80000000u);
  EXPECT_EQ(r.bytes_verified, 31u * 8u);
  EXPECT_NE(out_.text.find("styx: FAIL segment 31 (data)"), std::string::npos) << out_.text;
}

TEST_F(VerifySegments, ZeroLengthSegmentHasTheEmptyDigest) {
  const uint32_t i = add(0, styx::Role::kIma);
  EXPECT_EQ(expected_hex(i), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const auto r = run();
  EXPECT_EQ(out_.text, "");
  EXPECT_EQ(r.failed_mask, 0u);
  EXPECT_EQ(r.bytes_verified, 0u);
}

TEST_F(VerifySegments, ZeroLengthSegmentWithAnotherDigestFails) {
  const uint32_t i = add(0, styx::Role::kData);
  handoff_.segments[i].sha256[0] ^= 1;
  EXPECT_EQ(run().failed_mask, 1u);
}

TEST_F(VerifySegments, ZeroLengthSegmentInsideThePurgatoryIsNoOverlap) {
  const uint32_t i = add(0, styx::Role::kData);
  handoff_.segments[i].addr = self_.begin + 16;
  EXPECT_EQ(run().failed_mask, 0u);
  EXPECT_EQ(out_.text, "");
}

TEST_F(VerifySegments, WrappingAddressRangeIsReportedWithoutHashing) {
  add(16, styx::Role::kKernel);
  const uint32_t i = add(16, styx::Role::kInitrd);
  auto& s = handoff_.segments[i];
  s.addr = 0xfffffffffffff000ull;
  s.size = 0x2000;
  const auto r = run();
  EXPECT_EQ(r.failed_mask, 1u << i);
  EXPECT_EQ(r.bytes_verified, 16u);
  const auto got = lines(out_.text);
  ASSERT_EQ(got.size(), 1u) << out_.text;
  EXPECT_EQ(got[0], "styx: FAIL segment 1 (initrd) 0xfffffffffffff000+0x2000: address range wraps");
}

TEST_F(VerifySegments, RangeEndingExactlyAtTheTopOfTheAddressSpaceWraps) {
  const uint32_t i = add(16, styx::Role::kData);
  handoff_.segments[i].addr = 0xfffffffffffff000ull;
  handoff_.segments[i].size = 0x1000;
  EXPECT_EQ(run().failed_mask, 1u);
  EXPECT_NE(out_.text.find("address range wraps"), std::string::npos) << out_.text;
}

TEST_F(VerifySegments, OverlapWithThePurgatoryIsReported) {
  const uint32_t i = add(1024, styx::Role::kKernel);
  const uint64_t seg = handoff_.segments[i].addr;
  self_ = {seg + 1000, seg + 2000};  // the segment's tail
  const auto r = run();
  EXPECT_EQ(r.failed_mask, 1u);
  EXPECT_EQ(r.bytes_verified, 0u);
  EXPECT_EQ(out_.text, "styx: FAIL segment 0 (kernel) " + hex(seg) +
                           "+0x400: overlaps the purgatory at " + hex(seg + 1000) + "-" +
                           hex(seg + 2000) + "\n");
}

TEST_F(VerifySegments, SegmentTouchingThePurgatoryIsNoOverlap) {
  const uint32_t i = add(1024, styx::Role::kKernel);
  const uint64_t seg = handoff_.segments[i].addr;
  self_ = {seg + 1024, seg + 4096};
  EXPECT_EQ(run().failed_mask, 0u);
  self_ = {seg - 4096, seg};
  EXPECT_EQ(run().failed_mask, 0u);
  EXPECT_EQ(out_.text, "");
}

TEST_F(VerifySegments, UnknownRoleIsNamedUnknown) {
  const uint32_t i = add(32, styx::Role::kData);
  handoff_.segments[i].role = 99;
  buffers_[i][0] ^= 1;
  run();
  EXPECT_EQ(out_.text.rfind("styx: FAIL segment 0 (unknown) ", 0), 0u) << out_.text;
}

// log_usable(): the memory log must be big enough, not wrap and not overlap a segment.
class LogUsable : public ::testing::Test {
 protected:
  void SetUp() override {
    h_ = sound_header();
    h_.segment_count = 2;
    h_.segments[0] = {0x10000, 0x1000, 0, 0, {}};
    h_.segments[1] = {0x20000, 0x1000, 0, 0, {}};
    h_.log_addr = 0x30000;
    h_.log_size = 0x1000;
  }
  Handoff h_;
};

TEST_F(LogUsable, ClearLogIsUsable) {
  EXPECT_TRUE(styx::log_usable(h_));
}

TEST_F(LogUsable, NoLogIsUnusable) {
  h_.log_addr = 0;
  EXPECT_FALSE(styx::log_usable(h_));
}

TEST_F(LogUsable, LogSmallerThanItsHeaderIsUnusable) {
  h_.log_size = sizeof(styx::LogHeader) - 1;
  EXPECT_FALSE(styx::log_usable(h_));
  h_.log_size = sizeof(styx::LogHeader);
  EXPECT_TRUE(styx::log_usable(h_));
}

TEST_F(LogUsable, WrappingLogIsUnusable) {
  h_.log_addr = 0xfffffffffffff000ull;
  h_.log_size = 0x2000;
  EXPECT_FALSE(styx::log_usable(h_));
}

TEST_F(LogUsable, LogOverlappingASegmentIsUnusable) {
  h_.log_addr = 0x20fff;  // last byte of segment 1
  EXPECT_FALSE(styx::log_usable(h_));
  h_.log_addr = 0x1f000;
  h_.log_size = 0x1001;  // first byte of segment 1
  EXPECT_FALSE(styx::log_usable(h_));
}

TEST_F(LogUsable, LogAdjacentToSegmentsIsUsable) {
  h_.log_addr = 0x11000;
  h_.log_size = 0xf000;  // exactly the gap between the two segments
  EXPECT_TRUE(styx::log_usable(h_));
}

TEST_F(LogUsable, EmptySegmentsDoNotBlockTheLog) {
  h_.segments[1] = {0x30010, 0, 0, 0, {}};
  EXPECT_TRUE(styx::log_usable(h_));
}

TEST_F(LogUsable, OnlyCountedSegmentsMatter) {
  h_.segments[2] = {0x30000, 0x1000, 0, 0, {}};  // beyond segment_count
  EXPECT_TRUE(styx::log_usable(h_));
  h_.segment_count = 3;
  EXPECT_FALSE(styx::log_usable(h_));
}

}  // namespace
