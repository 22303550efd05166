// SPDX-License-Identifier: GPL-2.0-only
// The x86_64 purgatory's SHA-NI routine (arch/x86_64/purgatory/sha256-hardware-shani.S), run
// natively: the emulator does not implement the SHA extensions, so this is where the routine's
// arithmetic is proven, against OpenSSL and against the generic code.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "digest.h"
#include "random-bytes.h"
#include "sha256.h"

#if STYX_HOST_SHANI
#include <cpuid.h>

extern "C" void styx_sha256_blocks_shani(uint32_t state[8], const uint8_t* data, size_t blocks);

namespace {

// What the purgatory's detection asks for: SSSE3 and SSE4.1 (CPUID.1:ECX bits 9, 19) and SHA
// (CPUID.(7,0):EBX bit 29).
bool host_has_sha_ni() {
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 9)) || !(c & (1u << 19))) return false;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
  return b & (1u << 29);
}

using styx::test::random_bytes;

class ShaNi : public testing::Test {
 protected:
  void SetUp() override {
    if (!host_has_sha_ni())
      GTEST_SKIP() << "this CPU lacks SHA-NI (CPUID.(7,0):EBX[29]) or SSSE3/SSE4.1: the routine "
                      "cannot run here";
  }
};

std::string shani_hex(const uint8_t* data, size_t size) {
  uint8_t digest[32];
  styx::sha256(data, size, digest, styx_sha256_blocks_shani);
  return styx::host::to_hex(digest);
}

std::string openssl_hex(const uint8_t* data, size_t size) {
  return styx::host::to_hex(styx::host::sha256({data, size}));
}

TEST_F(ShaNi, MatchesFips180Examples) {
  const std::string abc = "abc",
                    two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  EXPECT_EQ(shani_hex(nullptr, 0),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(shani_hex(reinterpret_cast<const uint8_t*>(abc.data()), abc.size()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(shani_hex(reinterpret_cast<const uint8_t*>(two_blocks.data()), two_blocks.size()),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

// Every length up to five blocks and some long ones, at every offset within 16 bytes: the
// routine's unaligned loads and the block counts the purgatory's Sha256 hands it.
TEST_F(ShaNi, MatchesOpenSslOnEveryLengthAndAlignment) {
  const auto data = random_bytes((1 << 20) + 64, 11);
  std::vector<size_t> sizes;
  for (size_t n = 0; n <= 5 * 64; ++n) sizes.push_back(n);
  for (size_t n : {4095u, 4096u, 65536u + 13u, 1u << 20}) sizes.push_back(n);
  for (size_t size : sizes) {
    for (size_t offset = 0; offset < 16; ++offset) {
      if (size > 5 * 64 && offset % 5 != 0) continue;  // long inputs at a few offsets
      ASSERT_EQ(shani_hex(data.data() + offset, size), openssl_hex(data.data() + offset, size))
          << "size " << size << " offset " << offset;
    }
  }
}

// Straight against the generic compression from arbitrary states, with guard words around the
// state: only the eight words change, and a block count of 0 changes nothing.
TEST_F(ShaNi, AgreesWithTheGenericCompressionFromAnyState) {
  std::mt19937 rng(5);
  const auto data = random_bytes(64 * 9 + 3, 7);
  for (int trial = 0; trial < 200; ++trial) {
    uint32_t expected[8], actual[10];
    for (uint32_t& w : expected) w = static_cast<uint32_t>(rng());
    actual[0] = actual[9] = 0xdeadbeef;
    std::memcpy(actual + 1, expected, sizeof(expected));
    const size_t blocks = static_cast<size_t>(trial % 10), offset = static_cast<size_t>(trial % 4);
    styx::sha256_blocks_generic(expected, data.data() + offset, blocks);
    styx_sha256_blocks_shani(actual + 1, data.data() + offset, blocks);
    ASSERT_EQ(std::memcmp(actual + 1, expected, sizeof(expected)), 0)
        << "trial " << trial << ", " << blocks << " blocks";
    EXPECT_EQ(actual[0], 0xdeadbeefu);
    EXPECT_EQ(actual[9], 0xdeadbeefu);
  }
  uint32_t state[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  styx_sha256_blocks_shani(state, nullptr, 0);
  EXPECT_EQ(state[0], 1u);
  EXPECT_EQ(state[7], 8u);
}

// One flipped bit anywhere in a block changes the digest, as OpenSSL's does.
TEST_F(ShaNi, FlippedBitChangesTheDigestAsOpenSslDoes) {
  auto data = random_bytes(3 * 64 + 17, 3);
  const std::string clean = shani_hex(data.data(), data.size());
  for (size_t byte : {size_t{0}, data.size() / 2, data.size() - 1}) {
    data[byte] ^= 0x10;
    const std::string flipped = shani_hex(data.data(), data.size());
    EXPECT_NE(flipped, clean);
    EXPECT_EQ(flipped, openssl_hex(data.data(), data.size()));
    data[byte] ^= 0x10;
  }
}

}  // namespace

#else

TEST(ShaNi, MatchesOpenSslOnEveryLengthAndAlignment) {
  GTEST_SKIP() << "the host is not x86_64: the SHA-NI routine cannot run here";
}

#endif
