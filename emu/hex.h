// SPDX-License-Identifier: GPL-2.0-only
// How results and messages spell addresses and register values.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace styx::emu {

/// "0" or "0x1f".
inline std::string hex(uint64_t value) {
  if (value == 0) return "0";
  char text[24];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(value));
  return text;
}

}  // namespace styx::emu
