// SPDX-License-Identifier: GPL-2.0-only
// Post-link check of the s390x purgatory: no floating-point or vector instructions (nothing
// guarantees the FP/vector facility is enabled in CR0), and no KIMD/KLMD (CPACF hashing is not
// on every machine and Unicorn 2.0.1 aborts the host process on any non-query function).
#include <string>

#include <fmt/format.h>

#include "code-check.h"

namespace styx::host {
namespace {

// Length from the first byte's top two bits: 00 -> 2, 01/10 -> 4, 11 -> 6.
size_t insn_length(uint8_t first) {
  const unsigned top = first >> 6;
  return top == 0 ? 2 : top == 3 ? 6 : 4;
}

const char* forbidden(const uint8_t* p) {
  const uint8_t op = p[0];
  if (op == 0xe7) return "vector";
  if (op == 0xed) return "floating-point (RXE/RXF)";
  if ((op >= 0x20 && op <= 0x3f) || (op >= 0x60 && op <= 0x70) || (op >= 0x78 && op <= 0x7f))
    return "floating-point";
  if (op == 0xb3) return "floating-point";
  if (op == 0xb9 && (p[1] == 0x3e || p[1] == 0x3f)) return "KIMD/KLMD";
  return nullptr;
}

}  // namespace

std::string check_s390x_code(std::span<const uint8_t> code, uint64_t addr) {
  for (size_t o = 0; o + 2 <= code.size();) {
    const size_t len = insn_length(code[o]);
    if (o + len > code.size()) break;
    if (const char* what = forbidden(&code[o])) {
      std::string bytes;
      for (size_t i = 0; i < len; ++i) bytes += fmt::format("{:02x}", code[o + i]);
      return fmt::format("{} instruction {} at 0x{:x}", what, bytes, addr + o);
    }
    o += len;
  }
  return "";
}

}  // namespace styx::host
