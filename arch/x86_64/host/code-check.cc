// SPDX-License-Identifier: GPL-2.0-only
// Post-link check of the x86_64 purgatory: no x87, MMX, SSE or AVX instruction may appear.
// Nothing saves that state across kexec, and a GCC auto-vectorised loop once made a purgatory hang
// silently; -mgeneral-regs-only should prevent it, this check proves it on the linked binary.
#include <Zydis/Zydis.h>

#include <string>
#include <string_view>

#include <fmt/format.h>

#include "code-check.h"

namespace styx::host {
namespace {

bool forbidden_class(ZydisRegister reg) {
  switch (ZydisRegisterGetClass(reg)) {
    case ZYDIS_REGCLASS_X87:
    case ZYDIS_REGCLASS_MMX:
    case ZYDIS_REGCLASS_XMM:
    case ZYDIS_REGCLASS_YMM:
    case ZYDIS_REGCLASS_ZMM:
    case ZYDIS_REGCLASS_TMM:
    case ZYDIS_REGCLASS_MASK: return true;
    default: return false;
  }
}

bool forbidden_extension(ZydisISAExt ext) {
  const std::string_view name = ZydisISAExtGetString(ext) ? ZydisISAExtGetString(ext) : "";
  for (std::string_view prefix : {"X87", "MMX", "SSE", "AVX", "FMA", "F16C", "3DNOW", "AMX", "SHA"})
    if (name.starts_with(prefix)) return true;
  return false;
}

}  // namespace

std::string check_x86_64_code(std::span<const uint8_t> code, uint64_t addr) {
  ZydisDecoder decoder;
  if (ZYAN_FAILED(ZydisDecoderInit(&decoder, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64)))
    return "cannot initialise the x86 decoder";
  size_t offset = 0;
  while (offset < code.size()) {
    ZydisDecodedInstruction insn;
    ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
    if (ZYAN_FAILED(ZydisDecoderDecodeFull(&decoder, code.data() + offset, code.size() - offset,
                                           &insn, ops))) {
      return fmt::format("undecodable bytes at 0x{:x}", addr + offset);
    }
    bool bad = forbidden_extension(insn.meta.isa_ext);
    for (uint8_t i = 0; i < insn.operand_count && !bad; ++i)
      bad = ops[i].type == ZYDIS_OPERAND_TYPE_REGISTER && forbidden_class(ops[i].reg.value);
    if (bad)
      return fmt::format(
          "{} instruction '{}' at 0x{:x}: the purgatory must not touch x87/MMX/SSE/AVX state",
          ZydisISAExtGetString(insn.meta.isa_ext), ZydisMnemonicGetString(insn.mnemonic),
          addr + offset);
    offset += insn.length;
  }
  return "";
}

}  // namespace styx::host
