// SPDX-License-Identifier: GPL-2.0-only
// SHA-256 on the host through OpenSSL: an implementation independent of the purgatory's own, so
// each checks the other.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>

namespace styx::host {

using Digest = std::array<uint8_t, 32>;

Digest sha256(std::span<const uint8_t> data);

/// SHA-256 of data that arrives in pieces.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(std::span<const uint8_t> data);
  Digest finish();

 private:
  void* ctx_;  // EVP_MD_CTX, kept out of this header
};
std::string to_hex(std::span<const uint8_t> bytes);

}  // namespace styx::host
