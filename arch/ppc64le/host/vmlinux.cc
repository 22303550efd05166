// SPDX-License-Identifier: GPL-2.0-only
// A ppc64le Linux `vmlinux` (what Debian's linux-image-*-powerpc64le ships as /boot/vmlinux-*):
// an ELF64 little-endian EM_PPC64 executable linked at 0xc000000000000000 with p_paddr 0. Its
// PT_LOADs are flattened into one image by their p_paddr offsets from the lowest one; the absolute
// p_paddr does not matter, because head_64.S copies the kernel to physical 0 wherever it starts.
#include "vmlinux.h"

#include <elf.h>

#include <algorithm>

#include "elf-file.h"
#include "error.h"
#include "parse.h"

namespace styx::host {
namespace {

// Everything a ppc64 kernel touches in real mode must lie in the first 1 GiB (Linux's
// ppc64_rma_size), and the kernel needs room for two copies of itself there.
constexpr uint64_t kMaxSpan = 512ull << 20;

}  // namespace

Ppc64Kernel parse_ppc64_vmlinux(std::span<const uint8_t> file, const std::string& name) {
  const ElfFile elf(file, name);
  if (elf.big_endian())
    throw InputError(name +
                     ": big-endian ppc64 kernel; Styx boots little-endian (ppc64le) kernels");
  if (elf.machine() != EM_PPC64)
    throw InputError(name + ": not a ppc64 kernel (ELF machine " + std::to_string(elf.machine()) +
                     ", expected 21)");
  if (elf.type() != ET_EXEC && elf.type() != ET_DYN)
    throw InputError(name + ": not an executable ELF file (type " + std::to_string(elf.type()) +
                     ")");

  std::vector<ElfSegment> loads;
  for (const ElfSegment& s : elf.segments())
    if (s.type == PT_LOAD && s.memsz) loads.push_back(s);
  if (loads.empty()) throw InputError(name + ": no PT_LOAD to boot");
  std::sort(loads.begin(), loads.end(),
            [](const ElfSegment& a, const ElfSegment& b) { return a.paddr < b.paddr; });

  const uint64_t base = loads.front().paddr;
  uint64_t end = base;
  for (size_t i = 0; i < loads.size(); ++i) {
    const ElfSegment& s = loads[i];
    if (s.filesz > s.memsz)
      throw InputError(name + ": PT_LOAD at " + hex(s.paddr) + " has more file bytes (" +
                       hex(s.filesz) + ") than memory (" + hex(s.memsz) + ")");
    if (s.paddr < end) throw InputError(name + ": PT_LOADs overlap at physical " + hex(s.paddr));
    if (s.memsz > kMaxSpan || s.paddr - base > kMaxSpan - s.memsz)
      throw InputError(name + ": the PT_LOADs span more than " + hex(kMaxSpan) +
                       " bytes; a ppc64 kernel must fit twice in the 1 GiB real-mode area");
    end = s.paddr + s.memsz;
  }

  Ppc64Kernel k;
  k.memsz = end - base;
  for (const ElfSegment& s : loads) {
    const std::span<const uint8_t> data = elf.segment_data(s);  // bounds-checked by ElfFile
    const uint64_t at = s.paddr - base;
    if (!data.empty()) {
      if (k.image.size() < at + data.size()) k.image.resize(at + data.size());
      std::copy(data.begin(), data.end(), k.image.begin() + static_cast<ptrdiff_t>(at));
    }
    if (elf.entry() >= s.vaddr && elf.entry() - s.vaddr < s.memsz)
      k.entry_offset = at + (elf.entry() - s.vaddr);
  }
  const auto in_load = [&](const ElfSegment& s) {
    return elf.entry() >= s.vaddr && elf.entry() - s.vaddr < s.filesz;
  };
  if (std::none_of(loads.begin(), loads.end(), in_load))
    throw InputError(name + ": the entry point " + hex(elf.entry()) +
                     " is not in the file bytes of any PT_LOAD");
  return k;
}

}  // namespace styx::host
