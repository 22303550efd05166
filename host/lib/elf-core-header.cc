// SPDX-License-Identifier: GPL-2.0-only
#include "elf-core-header.h"

#include <algorithm>

#include "bytes.h"
#include "error.h"

namespace styx::host {

namespace {

constexpr size_t kEhdrSize = 64;
constexpr size_t kPhdrSize = 56;
constexpr uint32_t kPtLoad = 1;
constexpr uint32_t kPtNote = 4;
constexpr uint32_t kPfRwx = 7;

}  // namespace

std::vector<MemRange> dumpable_ram(const std::vector<MemRange>& ram, const MemRange& crash) {
  std::vector<MemRange> sorted = ram;
  std::sort(sorted.begin(), sorted.end(),
            [](const MemRange& a, const MemRange& b) { return a.start < b.start; });
  std::vector<MemRange> out;
  const uint64_t c0 = crash.start, c1 = crash.start + crash.size;
  for (const MemRange& r : sorted) {
    const uint64_t r1 = r.start + r.size;
    if (crash.size == 0 || r1 <= c0 || r.start >= c1) {
      out.push_back(r);
      continue;
    }
    if (r.start < c0) out.push_back({r.start, c0 - r.start});
    if (r1 > c1) out.push_back({c1, r1 - c1});
  }
  return out;
}

std::vector<uint8_t> build_elf_core_header(const CoreHeaderInput& in) {
  if (in.cpu_notes.empty()) throw InputError("crash notes: no CPU's crash_notes found");
  if (in.vmcoreinfo.size == 0) throw InputError("vmcoreinfo: missing or empty");
  const std::vector<MemRange> loads = dumpable_ram(in.system_ram, in.crash_region);
  const size_t phnum = in.cpu_notes.size() + 1 + loads.size();
  if (phnum >= 0xffff) throw InputError("ELF core header: too many program headers");
  std::vector<uint8_t> out(kEhdrSize + phnum * kPhdrSize, 0);
  const bool big = in.big_endian;
  const uint8_t ident[] = {0x7f, 'E', 'L', 'F', 2 /*ELFCLASS64*/, uint8_t(big ? 2 : 1),
                           1 /*EV_CURRENT*/};
  std::copy(std::begin(ident), std::end(ident), out.begin());
  put_uint(out, 16, 4 /*ET_CORE*/, 2, big);
  put_uint(out, 18, in.machine, 2, big);
  put_uint(out, 20, 1, 4, big);
  put_uint(out, 32, kEhdrSize, 8, big);  // e_phoff
  put_uint(out, 52, kEhdrSize, 2, big);
  put_uint(out, 54, kPhdrSize, 2, big);
  put_uint(out, 56, phnum, 2, big);
  size_t off = kEhdrSize;
  auto phdr = [&](uint32_t type, uint32_t flags, uint64_t paddr, uint64_t vaddr, uint64_t size) {
    put_uint(out, off + 0, type, 4, big);
    put_uint(out, off + 4, flags, 4, big);
    put_uint(out, off + 8, paddr, 8, big);  // p_offset: vmcore.c reads the note/RAM at this address
    put_uint(out, off + 16, vaddr, 8, big);
    put_uint(out, off + 24, paddr, 8, big);
    put_uint(out, off + 32, size, 8, big);
    put_uint(out, off + 40, size, 8, big);
    off += kPhdrSize;
  };
  for (const CoreNote& n : in.cpu_notes) phdr(kPtNote, 0, n.paddr, 0, n.size);
  phdr(kPtNote, 0, in.vmcoreinfo.paddr, 0, in.vmcoreinfo.size);
  // p_vaddr is 0 until the planners pass the first kernel's linear-map offset: makedumpfile
  // reads x86_64's phys_base from it, so the end-to-end dump needs it.
  for (const MemRange& r : loads) phdr(kPtLoad, kPfRwx, r.start, 0, r.size);
  return out;
}

}  // namespace styx::host
