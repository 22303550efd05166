// SPDX-License-Identifier: GPL-2.0-only
// SHA-256 (FIPS 180-4) for the purgatory; the same sources build for the host unit tests.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace styx {

inline constexpr size_t kSha256BlockSize = 64;

/// A compression routine: compresses `blocks` consecutive 64-byte blocks at `data` (any
/// alignment) into `state`.
using Sha256Blocks = void (*)(uint32_t state[8], const uint8_t* data, size_t blocks);

/// The generic compression, and the fallback of every hardware routine. It lives in
/// sha256-blocks-generic.cc, or in arch/<isa>/purgatory/sha256-generic.cc with the ISA's choice of
/// operations.
void sha256_blocks_generic(uint32_t state[8], const uint8_t* data, size_t blocks);

class Sha256 {
 public:
  explicit Sha256(Sha256Blocks blocks = sha256_blocks_generic);
  void update(const void* data, size_t size);
  void finish(uint8_t digest[32]);

 private:
  Sha256Blocks blocks_;
  uint32_t state_[8];
  uint64_t length_ = 0;  // bytes hashed so far
  uint8_t buffer_[kSha256BlockSize];
  size_t buffered_ = 0;
};

void sha256(const void* data, size_t size, uint8_t digest[32],
            Sha256Blocks blocks = sha256_blocks_generic);

}  // namespace styx
