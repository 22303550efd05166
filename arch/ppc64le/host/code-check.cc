// SPDX-License-Identifier: GPL-2.0-only
// Post-link check of the ppc64le purgatory: no FP, VMX or VSX instructions, since kexec does not
// promise MSR[FP], MSR[VEC] or MSR[VSX] are set and a disabled unit traps to the old kernel's
// vectors. Everything else is position independent by construction (TOC-relative data, relative
// branches), and the purgatory check limits dynamic relocations to R_PPC64_RELATIVE.
#include <algorithm>
#include <string>

#include <fmt/format.h>

#include "code-check.h"

namespace styx::host {
namespace {

// Primary opcodes that are FP/VMX/VSX throughout: 4 (VMX), 48-55 (FP loads and stores), 57 and
// 61 (FP pair / VSX scalar loads and stores), 59 and 63 (FP arithmetic), 60 (VSX).
bool fp_vector_primary(uint32_t op) {
  return op == 4 || (op >= 48 && op <= 55) || op == 57 || op == 59 || op == 60 || op == 61 ||
         op == 63;
}

// Extended opcodes of primary 31 (bits 1-10) that load, store or move FP/VMX/VSX registers.
constexpr uint32_t kFpVector31[] = {
    6,   7,   12,  38,  39,  51,  71,  76,  103, 115, 135, 140, 167, 179, 199,  211,
    231, 243, 268, 332, 359, 364, 396, 487, 524, 535, 567, 588, 599, 631, 652,  663,
    695, 716, 727, 759, 780, 812, 844, 855, 876, 887, 908, 940, 972, 983, 1004,
};

}  // namespace

std::string check_ppc64le_code(std::span<const uint8_t> code, uint64_t addr) {
  for (size_t o = 0; o + 4 <= code.size(); o += 4) {
    const uint32_t insn = uint32_t{code[o]} | uint32_t{code[o + 1]} << 8 |
                          uint32_t{code[o + 2]} << 16 | uint32_t{code[o + 3]} << 24;
    const uint32_t op = insn >> 26;
    const uint32_t xo = (insn >> 1) & 0x3ff;
    const bool vector31 = op == 31 && std::find(std::begin(kFpVector31), std::end(kFpVector31),
                                                xo) != std::end(kFpVector31);
    if (fp_vector_primary(op) || vector31)
      return fmt::format("FP/VMX/VSX instruction 0x{:08x} at 0x{:x}", insn, addr + o);
  }
  return "";
}

}  // namespace styx::host
