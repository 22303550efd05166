// SPDX-License-Identifier: GPL-2.0-only
// The hand-off block's byte-level encoding, as the host writes it for either byte order.
#include "handoff-codec.h"

#include <gtest/gtest.h>
#include <styx/handoff.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace {

using styx::Handoff;

// A block with a distinct value in every field, so a swapped or shifted field shows.
Handoff sample_handoff() {
  Handoff h{};
  h.magic = styx::kHandoffMagic;
  h.version = styx::kHandoffVersion;
  h.size = sizeof(Handoff);
  h.segment_count = 3;
  h.failure_policy = static_cast<uint32_t>(styx::FailurePolicy::kReset);
  h.reset_method = static_cast<uint32_t>(styx::ResetMethod::kPsciSmc);
  h.sha256_routine = 0x0badf00d;
  h.console = {static_cast<uint32_t>(styx::ConsoleKind::kPl011), 0x11223344, 0x0000000009000000};
  h.entry = 0x0000000040080000;
  for (uint32_t i = 0; i < styx::kMaxBootArgs; ++i) h.boot_args[i] = 0x0102030405060700ull + i;
  h.log_addr = 0x0000000047ff0000;
  h.log_size = 0x1000;
  h.timer_hz = 0x00000000773593f0;
  for (uint32_t i = 0; i < 3; ++i) h.reserved1[i] = 0xa0a0a0a0a0a0a0a0ull + i;
  for (uint32_t i = 0; i < styx::kMaxSegments; ++i) {
    auto& s = h.segments[i];
    s.addr = 0x40000000ull + i * 0x100000ull;
    s.size = 0x1000ull * (i + 1) + i;
    s.role = i % styx::kRoleCount;
    s.reserved = 0xc0000000u + i;
    for (uint32_t b = 0; b < styx::kDigestSize; ++b) s.sha256[b] = static_cast<uint8_t>(i * 7 + b);
  }
  for (uint32_t b = 0; b < styx::kDigestSize; ++b) {
    h.purgatory_sha256[b] = static_cast<uint8_t>(0x40 + b);
    h.handoff_sha256[b] = static_cast<uint8_t>(0x80 + b);
  }
  return h;
}

bool same_bytes(const Handoff& a, const Handoff& b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

uint64_t read_uint(const std::vector<uint8_t>& bytes, size_t offset, size_t width, bool big) {
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i) v = (v << 8) | bytes[offset + (big ? i : width - 1 - i)];
  return v;
}

TEST(Handoff, MagicSpellsStyxhoffInLittleEndian) {
  uint8_t bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<uint8_t>(styx::kHandoffMagic >> (8 * i));
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(bytes), 8), "STYXHOFF");
}

TEST(Handoff, LogMagicSpellsStyxlogInLittleEndian) {
  uint8_t bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<uint8_t>(styx::kLogMagic >> (8 * i));
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(bytes), 8), std::string("STYXLOG\0", 8));
}

TEST(Handoff, EncodedSizeIsTheStructSize) {
  EXPECT_EQ(sizeof(Handoff), 168u + 32u * 56u + 2 * 32u);
  for (const bool big : {false, true})
    EXPECT_EQ(styx::host::encode_handoff(sample_handoff(), big).size(), sizeof(Handoff));
}

TEST(Handoff, RoundTripsInBothByteOrders) {
  const Handoff h = sample_handoff();
  for (const bool big : {false, true}) {
    const auto bytes = styx::host::encode_handoff(h, big);
    const Handoff back = styx::host::decode_handoff(bytes, big);
    EXPECT_TRUE(same_bytes(h, back)) << (big ? "big" : "little") << " endian";
  }
}

TEST(Handoff, LittleEndianEncodingPutsTheMagicBytesInOrder) {
  const auto bytes = styx::host::encode_handoff(sample_handoff(), false);
  EXPECT_EQ(std::string(bytes.begin(), bytes.begin() + 8), "STYXHOFF");
}

TEST(Handoff, BigEndianEncodingReversesTheMagicBytes) {
  const auto bytes = styx::host::encode_handoff(sample_handoff(), true);
  EXPECT_EQ(std::string(bytes.begin(), bytes.begin() + 8), "FFOHXYTS");
}

TEST(Handoff, EveryFieldLandsAtItsOffsetInTheChosenByteOrder) {
  const Handoff h = sample_handoff();
  for (const bool big : {false, true}) {
    SCOPED_TRACE(big ? "big endian" : "little endian");
    const auto b = styx::host::encode_handoff(h, big);
    EXPECT_EQ(read_uint(b, offsetof(Handoff, magic), 8, big), h.magic);
    EXPECT_EQ(read_uint(b, offsetof(Handoff, version), 4, big), h.version);
    EXPECT_EQ(read_uint(b, offsetof(Handoff, size), 4, big), h.size);
    EXPECT_EQ(read_uint(b, offsetof(Handoff, segment_count), 4, big), h.segment_count);
    EXPECT_EQ(read_uint(b, offsetof(Handoff, failure_policy), 4, big), h.failure_policy);
    EXPECT_EQ(read_uint(b, offsetof(Handoff, reset_method), 4, big), h.reset_method);
    EXPECT_EQ(read_uint(b, offsetof(Handoff, sha256_routine), 4, big), h.sha256_routine);
    EXPECT_EQ(read_uint(b, offsetof(Handoff, console) + 0, 4, big), h.console.kind);
    EXPECT_EQ(read_uint(b, offsetof(Handoff, console) + 4, 4, big), h.console.reserved);
    EXPECT_EQ(read_uint(b, offsetof(Handoff, console) + 8, 8, big), h.console.base);
    EXPECT_EQ(read_uint(b, offsetof(Handoff, entry), 8, big), h.entry);
    for (uint32_t i = 0; i < styx::kMaxBootArgs; ++i)
      EXPECT_EQ(read_uint(b, offsetof(Handoff, boot_args) + 8 * i, 8, big), h.boot_args[i]);
    EXPECT_EQ(read_uint(b, offsetof(Handoff, log_addr), 8, big), h.log_addr);
    EXPECT_EQ(read_uint(b, offsetof(Handoff, log_size), 8, big), h.log_size);
    EXPECT_EQ(read_uint(b, offsetof(Handoff, timer_hz), 8, big), h.timer_hz);
    for (uint32_t i = 0; i < 3; ++i)
      EXPECT_EQ(read_uint(b, offsetof(Handoff, reserved1) + 8 * i, 8, big), h.reserved1[i]);
    for (uint32_t i = 0; i < styx::kMaxSegments; ++i) {
      const size_t o = offsetof(Handoff, segments) + i * sizeof(styx::Segment);
      const auto& s = h.segments[i];
      EXPECT_EQ(read_uint(b, o + 0, 8, big), s.addr) << "segment " << i;
      EXPECT_EQ(read_uint(b, o + 8, 8, big), s.size) << "segment " << i;
      EXPECT_EQ(read_uint(b, o + 16, 4, big), s.role) << "segment " << i;
      EXPECT_EQ(read_uint(b, o + 20, 4, big), s.reserved) << "segment " << i;
      // Digests are byte strings: never swapped.
      EXPECT_EQ(0, std::memcmp(&b[o + 24], s.sha256, styx::kDigestSize)) << "segment " << i;
    }
    EXPECT_EQ(0, std::memcmp(&b[offsetof(Handoff, purgatory_sha256)], h.purgatory_sha256,
                             styx::kDigestSize));
    EXPECT_EQ(
        0, std::memcmp(&b[offsetof(Handoff, handoff_sha256)], h.handoff_sha256, styx::kDigestSize));
  }
}

TEST(Handoff, BigAndLittleEndianEncodingsDifferOnlyByByteOrder) {
  const auto little = styx::host::encode_handoff(sample_handoff(), false);
  const auto big = styx::host::encode_handoff(sample_handoff(), true);
  EXPECT_NE(little, big);
  // Decoding with the wrong byte order swaps every integer field.
  const Handoff wrong = styx::host::decode_handoff(big, false);
  EXPECT_EQ(wrong.magic, __builtin_bswap64(styx::kHandoffMagic));
  EXPECT_EQ(wrong.size, __builtin_bswap32(static_cast<uint32_t>(sizeof(Handoff))));
  EXPECT_EQ(wrong.segments[5].addr, __builtin_bswap64(sample_handoff().segments[5].addr));
}

TEST(Handoff, DecodeReadsOnlyTheFirstSizeofBytes) {
  auto bytes = styx::host::encode_handoff(sample_handoff(), false);
  bytes.resize(bytes.size() + 100, 0xee);
  EXPECT_TRUE(same_bytes(styx::host::decode_handoff(bytes, false), sample_handoff()));
}

TEST(Handoff, RoleNamesAreTheSharedSpelling) {
  EXPECT_STREQ(styx::role_name(styx::Role::kData), "data");
  EXPECT_STREQ(styx::role_name(styx::Role::kKernel), "kernel");
  EXPECT_STREQ(styx::role_name(styx::Role::kInitrd), "initrd");
  EXPECT_STREQ(styx::role_name(styx::Role::kDtb), "dtb");
  EXPECT_STREQ(styx::role_name(styx::Role::kBootParams), "bootparams");
  EXPECT_STREQ(styx::role_name(styx::Role::kIma), "ima");
  EXPECT_STREQ(styx::role_name(static_cast<styx::Role>(styx::kRoleCount)), "unknown");
}

}  // namespace
