// SPDX-License-Identifier: GPL-2.0-only
// The purgatory ELF as the host uses it: checked, then copied and relocated to a load address.
#pragma once

#include <styx/handoff.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "arch-info.h"
#include "code-check.h"

namespace styx::host {

/// The purgatory section that holds its hardware SHA-256 routines (linker/purgatory.ld), exempt
/// from the code check's ban on FP/SIMD/vector instructions.
inline constexpr std::string_view kSimdSection = ".styx.simd";

struct Purgatory {
  std::vector<uint8_t> bytes;   ///< the loadable contents, linked at 0 (file size)
  uint64_t memsz = 0;           ///< with .bss and stack
  uint64_t align = 1;           ///< the largest section alignment: a load address must honour it
  uint64_t entry = 0;           ///< offset of the entry point
  uint64_t handoff_offset = 0;  ///< offset of the Handoff object
  std::vector<uint64_t> relocations;  ///< offsets of 64-bit R_*_RELATIVE slots
  std::vector<int64_t> addends;       ///< their addends
};

/// Reads and checks a purgatory ELF for `arch`: a static PIE with one PT_LOAD at 0, only
/// R_*_RELATIVE relocations, no undefined symbols, and a hand-off section of this build's size
/// and version. InputError naming `name` on the first problem.
Purgatory load_purgatory(std::span<const uint8_t> elf, const ArchInfo& arch,
                         const std::string& name);

/// Everything the post-link check finds wrong with a purgatory ELF (empty when none): the checks
/// of load_purgatory(), the ISA's code check (`check`, from code-check.h; none when nullptr), the
/// size limit, and the sealed range (`__styx_start`..`__styx_loaded_end` is the PT_LOAD's file
/// contents).
std::vector<std::string> check_purgatory(std::span<const uint8_t> elf, const ArchInfo& arch,
                                         const std::string& name, CodeCheck check);

/// The purgatory's bytes relocated to run at `base`, with `handoff` stored in its block and the
/// block sealed (handoff-seal.h; the seal fields of `handoff` are ignored).
std::vector<uint8_t> link_purgatory(const Purgatory& purgatory, const ArchInfo& arch, uint64_t base,
                                    const Handoff& handoff);

}  // namespace styx::host
