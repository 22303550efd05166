// SPDX-License-Identifier: GPL-2.0-only
#include "elf-core-header.h"

#include <elf.h>

#include "elf-file.h"
#include "error.h"
#include "ranges.h"

namespace styx::host {

std::vector<MemRange> dumpable_ram(const std::vector<MemRange>& ram, const MemRange& crash) {
  return subtract_ranges(ram, {crash});
}

std::vector<uint8_t> build_elf_core_header(const CoreHeaderInput& in) {
  if (in.cpu_notes.empty()) throw InputError("crash notes: no CPU's crash_notes found");
  if (in.vmcoreinfo.size == 0) throw InputError("vmcoreinfo: missing or empty");
  const std::vector<MemRange> loads = dumpable_ram(in.system_ram, in.crash_region);
  const size_t phnum = in.cpu_notes.size() + 1 + loads.size();
  if (phnum >= 0xffff) throw InputError("ELF core header: too many program headers");
  std::vector<uint8_t> out;
  put_elf64_header(out, ET_CORE, in.machine, in.big_endian, 0, phnum);
  size_t index = 0;
  // p_offset is the physical address: vmcore.c reads each note and RAM range there.
  auto phdr = [&](uint32_t type, uint32_t flags, uint64_t paddr, uint64_t size) {
    put_elf64_program_header(out, index++, {type, flags, paddr, 0, paddr, size, size, 0},
                             in.big_endian);
  };
  for (const CoreNote& n : in.cpu_notes) phdr(PT_NOTE, 0, n.paddr, n.size);
  phdr(PT_NOTE, 0, in.vmcoreinfo.paddr, in.vmcoreinfo.size);
  // p_vaddr is 0 until the planners pass the first kernel's linear-map offset: makedumpfile
  // reads x86_64's phys_base from it, so the end-to-end dump needs it.
  for (const MemRange& r : loads) phdr(PT_LOAD, PF_R | PF_W | PF_X, r.start, r.size);
  return out;
}

}  // namespace styx::host
