// SPDX-License-Identifier: GPL-2.0-only
// The purgatory's SHA-256 against the FIPS 180-4 examples and against OpenSSL.
#include "sha256.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "digest.h"

namespace {

std::string styx_hex(const void* data, size_t size) {
  uint8_t digest[32];
  styx::sha256(data, size, digest);
  return styx::host::to_hex(digest);
}

std::string styx_hex(std::string_view text) {
  return styx_hex(text.data(), text.size());
}

std::string openssl_hex(const uint8_t* data, size_t size) {
  return styx::host::to_hex(styx::host::sha256({data, size}));
}

std::vector<uint8_t> random_bytes(size_t size, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> out(size);
  for (auto& b : out) b = static_cast<uint8_t>(rng());
  return out;
}

TEST(Sha256, MatchesFips180Examples) {
  EXPECT_EQ(styx_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(styx_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(styx_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(
      styx_hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
               "klmnopqrlmnopqrsmnopqrstnopqrstu"),
      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

TEST(Sha256, MatchesFips180MillionA) {
  const std::string a(1000000, 'a');
  EXPECT_EQ(styx_hex(a), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, MatchesOpenSslOnEveryLengthUpTo4096) {
  const auto data = random_bytes(4096, 1);
  for (size_t size = 0; size <= data.size(); ++size)
    ASSERT_EQ(styx_hex(data.data(), size), openssl_hex(data.data(), size)) << "length " << size;
}

TEST(Sha256, MatchesOpenSslOnMultiMebibyteBuffers) {
  for (const size_t size : {size_t{3 << 20} + 17, size_t{5 << 20} - 1, size_t{4 << 20}}) {
    const auto data = random_bytes(size, static_cast<uint32_t>(size));
    EXPECT_EQ(styx_hex(data.data(), size), openssl_hex(data.data(), size)) << "length " << size;
  }
}

TEST(Sha256, MatchesOpenSslOnUnalignedStartAddresses) {
  // 64-byte aligned storage, so data + 1..3 are certainly not 4-byte aligned.
  alignas(64) static uint8_t storage[8192 + 64];
  const auto data = random_bytes(sizeof storage, 2);
  std::copy(data.begin(), data.end(), storage);
  for (size_t shift = 0; shift <= 3; ++shift) {
    for (const size_t size : {size_t{0}, size_t{1}, size_t{55}, size_t{56}, size_t{63}, size_t{64},
                              size_t{65}, size_t{127}, size_t{1000}, size_t{8192}}) {
      EXPECT_EQ(styx_hex(storage + shift, size), openssl_hex(storage + shift, size))
          << "offset " << shift << ", length " << size;
    }
  }
}

TEST(Sha256, IncrementalUpdatesInOddChunksMatchOneShot) {
  const auto data = random_bytes(100000, 3);
  const std::string expected = openssl_hex(data.data(), data.size());
  for (const size_t chunk : {size_t{1}, size_t{3}, size_t{7}, size_t{63}, size_t{65}, size_t{127},
                             size_t{1000}, size_t{4099}}) {
    styx::Sha256 h;
    for (size_t at = 0; at < data.size(); at += chunk)
      h.update(data.data() + at, std::min(chunk, data.size() - at));
    uint8_t digest[32];
    h.finish(digest);
    EXPECT_EQ(styx::host::to_hex(digest), expected) << "chunk " << chunk;
  }
}

TEST(Sha256, IncrementalUpdatesWithVaryingChunksAndEmptyUpdates) {
  const auto data = random_bytes(20000, 4);
  std::mt19937 rng(5);
  styx::Sha256 h;
  size_t at = 0;
  while (at < data.size()) {
    const size_t chunk = std::min<size_t>(rng() % 200, data.size() - at);  // includes 0
    h.update(data.data() + at, chunk);
    at += chunk;
  }
  uint8_t digest[32];
  h.finish(digest);
  EXPECT_EQ(styx::host::to_hex(digest), openssl_hex(data.data(), data.size()));
}

TEST(Sha256, PaddingBoundariesMatchOpenSslAfterBufferedPrefix) {
  // A 1-byte prefix leaves the buffer non-empty, so the padding paths (55, 56, 63, 64 bytes
  // buffered at finish) are reached through update()'s buffering branch too.
  const auto data = random_bytes(300, 6);
  for (size_t size = 1; size < data.size(); ++size) {
    styx::Sha256 h;
    h.update(data.data(), 1);
    h.update(data.data() + 1, size - 1);
    uint8_t digest[32];
    h.finish(digest);
    ASSERT_EQ(styx::host::to_hex(digest), openssl_hex(data.data(), size)) << "length " << size;
  }
}

}  // namespace
