// SHA-256 (FIPS 180-4) for the purgatory; the same sources build for the host unit tests.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace styx {

inline constexpr size_t kSha256BlockSize = 64;

/// Compresses `blocks` consecutive 64-byte blocks into `state`. The generic version lives in
/// sha256-blocks-generic.cc; an ISA with SHA instructions links its own instead.
void sha256_blocks(uint32_t state[8], const uint8_t* data, size_t blocks);

class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t size);
  void finish(uint8_t digest[32]);

 private:
  uint32_t state_[8];
  uint64_t length_ = 0;  // bytes hashed so far
  uint8_t buffer_[kSha256BlockSize];
  size_t buffered_ = 0;
};

void sha256(const void* data, size_t size, uint8_t digest[32]);

}  // namespace styx
