// SPDX-License-Identifier: GPL-2.0-only
// Test inputs that no compression, alignment or pattern makes special, the same on every run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

namespace styx::test {

inline std::vector<uint8_t> random_bytes(size_t size, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> out(size);
  for (auto& b : out) b = static_cast<uint8_t>(rng());
  return out;
}

}  // namespace styx::test
