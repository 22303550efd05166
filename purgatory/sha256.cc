// SPDX-License-Identifier: GPL-2.0-only
#include "sha256.h"

namespace styx {

Sha256::Sha256(Sha256Blocks blocks)
    : blocks_(blocks), state_{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                              0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19} {}

void Sha256::update(const void* data, size_t size) {
  const auto* p = static_cast<const uint8_t*>(data);
  length_ += size;
  if (buffered_) {
    while (size && buffered_ < kSha256BlockSize) {
      buffer_[buffered_++] = *p++;
      --size;
    }
    if (buffered_ < kSha256BlockSize) return;
    blocks_(state_, buffer_, 1);
    buffered_ = 0;
  }
  const size_t blocks = size / kSha256BlockSize;
  if (blocks) {
    blocks_(state_, p, blocks);
    p += blocks * kSha256BlockSize;
    size -= blocks * kSha256BlockSize;
  }
  while (size--) buffer_[buffered_++] = *p++;
}

void Sha256::finish(uint8_t digest[32]) {
  const uint64_t bits = length_ * 8;
  buffer_[buffered_++] = 0x80;
  if (buffered_ > kSha256BlockSize - 8) {
    while (buffered_ < kSha256BlockSize) buffer_[buffered_++] = 0;
    blocks_(state_, buffer_, 1);
    buffered_ = 0;
  }
  while (buffered_ < kSha256BlockSize - 8) buffer_[buffered_++] = 0;
  for (int i = 7; i >= 0; --i) buffer_[buffered_++] = static_cast<uint8_t>(bits >> (8 * i));
  blocks_(state_, buffer_, 1);
  buffered_ = 0;
  for (int i = 0; i < 8; ++i) {
    digest[4 * i + 0] = static_cast<uint8_t>(state_[i] >> 24);
    digest[4 * i + 1] = static_cast<uint8_t>(state_[i] >> 16);
    digest[4 * i + 2] = static_cast<uint8_t>(state_[i] >> 8);
    digest[4 * i + 3] = static_cast<uint8_t>(state_[i]);
  }
}

void sha256(const void* data, size_t size, uint8_t digest[32], Sha256Blocks blocks) {
  Sha256 h(blocks);
  h.update(data, size);
  h.finish(digest);
}

}  // namespace styx
