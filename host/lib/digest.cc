// SPDX-License-Identifier: GPL-2.0-only
#include "digest.h"

#include <openssl/evp.h>

#include <stdexcept>

namespace styx::host {

Digest sha256(std::span<const uint8_t> data) {
  Digest d{};
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), d.data(), &size, EVP_sha256(), nullptr) != 1 ||
      size != d.size())
    throw std::runtime_error("OpenSSL SHA-256 failed");
  return d;
}

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_sha256(), nullptr) != 1) {
    EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_));
    throw std::runtime_error("OpenSSL SHA-256 failed");
  }
}

Sha256::~Sha256() {
  EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_));
}

void Sha256::update(std::span<const uint8_t> data) {
  if (EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data.data(), data.size()) != 1)
    throw std::runtime_error("OpenSSL SHA-256 failed");
}

Digest Sha256::finish() {
  Digest d{};
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), d.data(), &size) != 1 || size != d.size())
    throw std::runtime_error("OpenSSL SHA-256 failed");
  return d;
}

std::string to_hex(std::span<const uint8_t> bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  s.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    s.push_back(kHex[b >> 4]);
    s.push_back(kHex[b & 15]);
  }
  return s;
}

}  // namespace styx::host
