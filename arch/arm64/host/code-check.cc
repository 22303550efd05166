// SPDX-License-Identifier: GPL-2.0-only
// Post-link check of the arm64 purgatory. ADRP computes page-relative addresses, so code that uses
// it only works at a 4 KiB-aligned load address; the tiny code model avoids it and this proves it.
// FP/SIMD instructions are refused as on x86_64: nothing guarantees that state is enabled.
#include <string>

#include <fmt/format.h>

#include "code-check.h"

namespace styx::host {

std::string check_arm64_code(std::span<const uint8_t> code, uint64_t addr) {
  for (size_t o = 0; o + 4 <= code.size(); o += 4) {
    const uint32_t insn = uint32_t{code[o]} | uint32_t{code[o + 1]} << 8 |
                          uint32_t{code[o + 2]} << 16 | uint32_t{code[o + 3]} << 24;
    if ((insn & 0x9f000000u) == 0x90000000u)
      return fmt::format(
          "ADRP at 0x{:x} ties the code to 4 KiB-aligned load addresses (build with -mcmodel=tiny)",
          addr + o);
    // op0 (bits 28:25) = x111: scalar FP and Advanced SIMD data processing.
    const bool simd_dp = ((insn >> 25) & 7u) == 7u;
    // op0 = x1x0 with bit 26 (V) set: FP/SIMD register loads and stores.
    const bool simd_ldst = ((insn >> 25) & 5u) == 4u && ((insn >> 26) & 1u);
    if (simd_dp || simd_ldst)
      return fmt::format("FP/SIMD instruction 0x{:08x} at 0x{:x}", insn, addr + o);
  }
  return "";
}

}  // namespace styx::host
