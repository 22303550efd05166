// SPDX-License-Identifier: GPL-2.0-only
// The ELF core header a crash kernel reads at elfcorehdr= (fs/proc/vmcore.c): which memory of
// the crashed kernel to show as /proc/vmcore, and where its per-CPU crash notes and vmcoreinfo
// lie. Arch-neutral: each ISA's planner only decides how the crash kernel learns its address.
#pragma once

#include <cstdint>
#include <vector>

#include "image.h"

namespace styx::host {

/// A note the first kernel fills in at panic time (a CPU's crash_notes, or vmcoreinfo).
struct CoreNote {
  uint64_t paddr = 0;
  uint64_t size = 0;
};

struct CoreHeaderInput {
  std::vector<MemRange> system_ram;  ///< the first kernel's System RAM, as /proc/iomem lists it
  MemRange crash_region;             ///< the crashkernel= reservation, left out of the dump
  std::vector<CoreNote> cpu_notes;   ///< one per possible CPU
  CoreNote vmcoreinfo;
  bool big_endian = false;
  uint16_t machine = 0;  ///< e_machine (EM_X86_64 62, EM_AARCH64 183)
};

/// System RAM minus the crash region, in address order: what the PT_LOADs cover.
std::vector<MemRange> dumpable_ram(const std::vector<MemRange>& ram, const MemRange& crash);

/// ELF64 ET_CORE header: one PT_NOTE per CPU, one for vmcoreinfo, then one PT_LOAD per dumpable
/// RAM range (p_paddr = p_offset = physical address, as vmcore.c expects before it rewrites
/// p_offset). Throws InputError when there is no CPU note or no vmcoreinfo.
std::vector<uint8_t> build_elf_core_header(const CoreHeaderInput& in);

}  // namespace styx::host
