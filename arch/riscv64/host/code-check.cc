// SPDX-License-Identifier: GPL-2.0-only
// Post-link check of the riscv64 purgatory: no FP instructions, because nothing guarantees
// sstatus.FS lets them run (with FS off they trap). The compiler is told rv64imac/lp64, so this
// only catches hand-written assembly or a wrong flag.
#include <string>

#include <fmt/format.h>

#include "code-check.h"

namespace styx::host {
namespace {

bool fp_32bit(uint32_t insn) {
  switch (insn & 0x7f) {
    case 0x07:  // LOAD-FP
    case 0x27:  // STORE-FP
    case 0x43:  // FMADD
    case 0x47:  // FMSUB
    case 0x4b:  // FNMSUB
    case 0x4f:  // FNMADD
    case 0x53:  // OP-FP
      return true;
    default: return false;
  }
}

bool fp_16bit(uint16_t insn) {
  // RV64C: funct3 001 and 101 in quadrants 0 and 2 are c.fld/c.fsd and c.fldsp/c.fsdsp
  // (011/111 are the integer c.ld/c.sd there, unlike RV32C's c.flw/c.fsw).
  const unsigned quadrant = insn & 3;
  const unsigned funct3 = insn >> 13;
  return (quadrant == 0 || quadrant == 2) && (funct3 == 1 || funct3 == 5);
}

}  // namespace

std::string check_riscv64_code(std::span<const uint8_t> code, uint64_t addr) {
  size_t o = 0;
  while (o + 2 <= code.size()) {
    const uint16_t low = static_cast<uint16_t>(code[o] | code[o + 1] << 8);
    if ((low & 3) != 3) {
      if (fp_16bit(low)) return fmt::format("FP instruction 0x{:04x} at 0x{:x}", low, addr + o);
      o += 2;
      continue;
    }
    // Low bits 11 mean 32 bits unless bits 4:2 are 111 (the reserved longer encodings, which
    // nothing at these flags emits).
    if ((low & 0x1c) == 0x1c)
      return fmt::format("instruction longer than 32 bits at 0x{:x}", addr + o);
    if (o + 4 > code.size()) return fmt::format("truncated instruction at 0x{:x}", addr + o);
    const uint32_t insn = low | uint32_t{code[o + 2]} << 16 | uint32_t{code[o + 3]} << 24;
    if (fp_32bit(insn)) return fmt::format("FP instruction 0x{:08x} at 0x{:x}", insn, addr + o);
    o += 4;
  }
  return "";
}

}  // namespace styx::host
