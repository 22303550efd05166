// SPDX-License-Identifier: GPL-2.0-only
#include "purgatory.h"

#include <elf.h>

#include <algorithm>

#include "bytes.h"
#include "elf-file.h"
#include "error.h"
#include "handoff-codec.h"
#include "handoff-seal.h"
#include "parse.h"

namespace styx::host {
namespace {

constexpr uint64_t kMaxPurgatorySize = 1 << 20;

}  // namespace

Purgatory load_purgatory(std::span<const uint8_t> bytes, const ArchInfo& arch,
                         const std::string& name) {
  const ElfFile elf(bytes, name);
  const auto bad = [&](const std::string& why) { return InputError(name + ": " + why); };
  if (elf.machine() != arch.elf_machine)
    throw bad("built for e_machine " + std::to_string(elf.machine()) + ", not " +
              std::string(arch.name));
  if (elf.big_endian() != arch.big_endian) throw bad("wrong byte order");
  if (elf.type() != ET_DYN) throw bad("not a static PIE (e_type must be ET_DYN)");

  const ElfSegment* load = nullptr;
  for (const auto& s : elf.segments()) {
    if (s.type != PT_LOAD) continue;
    if (load) throw bad("more than one PT_LOAD segment");
    load = &s;
  }
  if (!load) throw bad("no PT_LOAD segment");
  if (load->vaddr != 0) throw bad("PT_LOAD not linked at address 0");
  if (load->memsz < load->filesz) throw bad("PT_LOAD memory size below its file size");

  Purgatory p;
  const auto data = elf.segment_data(*load);
  p.bytes.assign(data.begin(), data.end());
  p.memsz = load->memsz;
  p.entry = elf.entry();
  if (p.entry >= p.bytes.size()) throw bad("entry point outside the loaded image");
  for (const auto& s : elf.sections())
    if (s.flags & SHF_ALLOC) p.align = std::max<uint64_t>(p.align, s.addralign);

  const ElfSection* handoff = elf.find_section(STYX_HANDOFF_SECTION);
  if (!handoff) throw bad("no " STYX_HANDOFF_SECTION " section");
  if (handoff->type != SHT_PROGBITS) throw bad(STYX_HANDOFF_SECTION " is not PROGBITS (in .bss?)");
  if (handoff->size != sizeof(Handoff))
    throw bad("hand-off block is " + std::to_string(handoff->size) + " bytes, this styx expects " +
              std::to_string(sizeof(Handoff)));
  if (handoff->addr > p.bytes.size() || p.bytes.size() - handoff->addr < handoff->size)
    throw bad("hand-off block outside the image");
  p.handoff_offset = handoff->addr;
  const Handoff raw = decode_handoff(elf.section_data(*handoff), arch.big_endian);
  if (raw.version != kHandoffVersion || raw.size != sizeof(Handoff))
    throw bad("hand-off block version " + std::to_string(raw.version) + ", this styx writes " +
              std::to_string(kHandoffVersion));

  for (const auto& sym : elf.symbols()) {
    if (!sym.name.empty() && sym.shndx == SHN_UNDEF && ELF64_ST_BIND(sym.info) != STB_WEAK)
      throw bad("undefined symbol '" + sym.name + "'");
  }

  for (const auto& s : elf.sections()) {
    if (s.type == SHT_REL) throw bad("REL relocations in " + s.name + " (only RELA is handled)");
    if (s.type != SHT_RELA) continue;
    for (const auto& r : elf.relocations(s)) {
      if (r.type != arch.relative_reloc)
        throw bad("relocation type " + std::to_string(r.type) + " at " + hex(r.offset) +
                  " (only R_*_RELATIVE, type " + std::to_string(arch.relative_reloc) +
                  ", is handled)");
      if (r.offset > p.bytes.size() || p.bytes.size() - r.offset < 8)
        throw bad("relocation at " + hex(r.offset) + " outside the image");
      p.relocations.push_back(r.offset);
      p.addends.push_back(r.addend);
    }
  }
  return p;
}

std::vector<std::string> check_purgatory(std::span<const uint8_t> bytes, const ArchInfo& arch,
                                         const std::string& name, CodeCheck check) {
  std::vector<std::string> problems;
  Purgatory p;
  try {
    p = load_purgatory(bytes, arch, name);
  } catch (const InputError& e) {
    problems.push_back(e.what());
    return problems;
  }
  if (p.memsz > kMaxPurgatorySize)
    problems.push_back(name + ": " + std::to_string(p.memsz) + " bytes in memory, the limit is " +
                       std::to_string(kMaxPurgatorySize));
  const ElfFile elf(bytes, name);
  // The purgatory seals (checks) exactly what it finds between two linker symbols; the host
  // seals the PT_LOAD's file contents. Both must be the same bytes.
  const std::vector<ElfSymbol> symbols = elf.symbols();
  const auto symbol = [&](std::string_view sym) -> const ElfSymbol* {
    for (const auto& s : symbols)
      if (s.name == sym) return &s;
    return nullptr;
  };
  const ElfSymbol* start = symbol("__styx_start");
  const ElfSymbol* loaded_end = symbol("__styx_loaded_end");
  if (!start || !loaded_end)
    problems.push_back(name + ": no __styx_start or __styx_loaded_end symbol");
  else if (start->value != 0 || loaded_end->value != p.bytes.size())
    problems.push_back(name + ": __styx_start..__styx_loaded_end is " + hex(start->value) + ".." +
                       hex(loaded_end->value) + ", the loaded bytes are 0.." + hex(p.bytes.size()));
  for (const auto& s : elf.sections()) {
    if ((s.name.starts_with(".init_array") || s.name.starts_with(".ctors") ||
         s.name.starts_with(".fini_array") || s.name.starts_with(".dtors")) &&
        s.size)
      problems.push_back(name + ": " + s.name + " is not empty (static constructors?)");
    // The hardware SHA-256 routines are the one place FP/SIMD/vector code may be: they run only
    // after the purgatory has enabled those units on a CPU that has them.
    if (s.type == SHT_PROGBITS && (s.flags & SHF_EXECINSTR) && check && s.name != kSimdSection) {
      const std::string problem = check(elf.section_data(s), s.addr);
      if (!problem.empty()) problems.push_back(name + ": " + s.name + ": " + problem);
    }
  }
  return problems;
}

std::vector<uint8_t> link_purgatory(const Purgatory& p, const ArchInfo& arch, uint64_t base,
                                    const Handoff& handoff) {
  if (base % p.align)
    throw InputError("purgatory address " + hex(base) + " is not a multiple of its alignment " +
                     hex(p.align));
  std::vector<uint8_t> out = p.bytes;
  for (size_t i = 0; i < p.relocations.size(); ++i)
    put_uint(out, p.relocations[i], base + static_cast<uint64_t>(p.addends[i]), 8, arch.big_endian);
  const auto block = encode_handoff(handoff, arch.big_endian);
  std::copy(block.begin(), block.end(), out.begin() + static_cast<ptrdiff_t>(p.handoff_offset));
  seal_purgatory(out, p.handoff_offset);
  return out;
}

}  // namespace styx::host
