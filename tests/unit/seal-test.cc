// SPDX-License-Identifier: GPL-2.0-only
// The hand-off seal: the host writes it (host/lib/handoff-seal.cc, OpenSSL), the purgatory checks
// it (purgatory/seal.cc, its own SHA-256), here both on one host buffer standing for a linked
// purgatory.
#include "seal.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "handoff-codec.h"
#include "handoff-seal.h"

namespace {

using styx::Handoff;
using styx::SealError;

class StringSink final : public styx::Sink {
 public:
  void put(char c) override { text.push_back(c); }
  std::string text;
};

// A stand-in for a linked purgatory: code-like bytes around a filled hand-off block.
class Seal : public ::testing::Test {
 protected:
  static constexpr size_t kSize = 4000;   // the block and bytes on both of its sides
  static constexpr size_t kBlock = 1024;  // the block's offset, 16-aligned as the linker puts it

  Seal() : storage_((kSize + 7) / 8) {
    for (size_t i = 0; i < kSize; ++i) bytes()[i] = static_cast<uint8_t>(i * 131 + 7);
    Handoff h{};
    h.magic = styx::kHandoffMagic;
    h.version = styx::kHandoffVersion;
    h.size = sizeof(Handoff);
    h.segment_count = 2;
    h.entry = 0x40080000;
    const auto block = styx::host::encode_handoff(h, false);
    std::memcpy(bytes() + kBlock, block.data(), block.size());
    styx::host::seal_purgatory(span(), kBlock);
  }

  uint8_t* bytes() { return reinterpret_cast<uint8_t*>(storage_.data()); }
  std::span<uint8_t> span() { return {bytes(), kSize}; }
  const Handoff& block() { return *reinterpret_cast<const Handoff*>(bytes() + kBlock); }
  styx::SealCheck purgatory_check() { return styx::check_seal(block(), bytes(), kSize); }

 private:
  std::vector<uint64_t> storage_;  // aligned as the purgatory's block is
};

TEST_F(Seal, ASealedImagePassesOnBothSides) {
  EXPECT_EQ(purgatory_check().error, SealError::kNone);
  const auto host = styx::host::check_seal(span(), kBlock);
  EXPECT_TRUE(host.handoff_ok());
  EXPECT_TRUE(host.purgatory_ok());
}

TEST_F(Seal, TheHostDigestsAreWhatTheirFieldsSay) {
  // purgatory_sha256: every byte but the block's; handoff_sha256: the block up to that field.
  std::vector<uint8_t> rest(bytes(), bytes() + kBlock);
  rest.insert(rest.end(), bytes() + kBlock + sizeof(Handoff), bytes() + kSize);
  const auto p = styx::host::sha256(rest);
  EXPECT_EQ(0, std::memcmp(block().purgatory_sha256, p.data(), p.size()));
  const auto h = styx::host::sha256({bytes() + kBlock, offsetof(Handoff, handoff_sha256)});
  EXPECT_EQ(0, std::memcmp(block().handoff_sha256, h.data(), h.size()));
}

// Every single-bit flip anywhere is caught, and blamed on the part it is in: the block (its seal
// fields included) or the purgatory bytes around it. Both sides agree.
TEST_F(Seal, EveryFlippedBitIsCaughtAndBlamedOnItsPart) {
  for (size_t at = 0; at < kSize; ++at) {
    for (unsigned bit = 0; bit < 8; bit += 3) {
      bytes()[at] ^= static_cast<uint8_t>(1u << bit);
      const bool in_block = at >= kBlock && at < kBlock + sizeof(Handoff);
      const SealError expected = in_block ? SealError::kHandoff : SealError::kPurgatory;
      ASSERT_EQ(purgatory_check().error, expected) << "byte " << at << " bit " << bit;
      const auto host = styx::host::check_seal(span(), kBlock);
      ASSERT_EQ(host.handoff_ok(), !in_block) << "byte " << at;
      if (!in_block) {
        ASSERT_FALSE(host.purgatory_ok()) << "byte " << at;
      }
      bytes()[at] ^= static_cast<uint8_t>(1u << bit);
    }
  }
}

TEST_F(Seal, ABadBlockIsReportedWithBothDigests) {
  bytes()[kBlock + offsetof(Handoff, entry)] ^= 1;
  const styx::SealCheck check = purgatory_check();
  ASSERT_EQ(check.error, SealError::kHandoff);
  StringSink out;
  styx::report_seal(out, block(), check, 0x1000, kSize);
  const std::string expected =
      styx::host::to_hex(std::span<const uint8_t>(block().handoff_sha256, styx::kDigestSize));
  const std::string actual =
      styx::host::to_hex(styx::host::sha256({bytes() + kBlock, offsetof(Handoff, handoff_sha256)}));
  EXPECT_EQ(out.text, "styx: FAIL hand-off block: corrupt, sha256 expected " + expected +
                          " actual " + actual + "\n");
}

TEST_F(Seal, ABadPurgatoryIsReportedWithItsRange) {
  bytes()[10] ^= 0x80;
  const styx::SealCheck check = purgatory_check();
  ASSERT_EQ(check.error, SealError::kPurgatory);
  StringSink out;
  styx::report_seal(out, block(), check, 0x7fe00000, kSize);
  EXPECT_EQ(out.text.rfind("styx: FAIL purgatory 0x7fe00000+0xfa0: corrupt, sha256 expected ", 0),
            0u)
      << out.text;
  const auto host = styx::host::check_seal(span(), kBlock);
  EXPECT_NE(out.text.find(" actual " + styx::host::to_hex(host.purgatory_actual) + "\n"),
            std::string::npos)
      << out.text;
}

TEST_F(Seal, ResealingAfterAChangeMakesItSoundAgain) {
  bytes()[kBlock + offsetof(Handoff, segment_count)] = 5;
  EXPECT_EQ(purgatory_check().error, SealError::kHandoff);
  styx::host::seal_purgatory(span(), kBlock);
  EXPECT_EQ(purgatory_check().error, SealError::kNone);
}

}  // namespace
