// SPDX-License-Identifier: GPL-2.0-only
#include "elf-file.h"

#include <elf.h>

#include <algorithm>

#include "bytes.h"
#include "error.h"
#include "layout.h"

namespace styx::host {
namespace {

constexpr size_t kEhdrSize = 64, kPhdrSize = 56, kShdrSize = 64;

std::string c_string(std::span<const uint8_t> table, uint64_t offset, const std::string& what) {
  if (offset >= table.size()) throw InputError(what + ": string offset out of range");
  std::string s;
  for (uint64_t i = offset; i < table.size() && table[i]; ++i)
    s.push_back(static_cast<char>(table[i]));
  return s;
}

}  // namespace

ElfFile::ElfFile(std::span<const uint8_t> bytes, std::string name)
    : bytes_(bytes), name_(std::move(name)) {
  if (bytes.size() < EI_NIDENT || bytes[0] != ELFMAG0 || bytes[1] != ELFMAG1 ||
      bytes[2] != ELFMAG2 || bytes[3] != ELFMAG3)
    throw InputError(name_ + ": not an ELF file");
  if (bytes[EI_CLASS] != ELFCLASS64) throw InputError(name_ + ": not a 64-bit ELF file");
  if (bytes[EI_DATA] != ELFDATA2LSB && bytes[EI_DATA] != ELFDATA2MSB)
    throw InputError(name_ + ": unknown ELF byte order");
  big_ = bytes[EI_DATA] == ELFDATA2MSB;
  const ByteReader r(bytes, big_, name_ + ": ELF header");
  type_ = r.u16(16);
  machine_ = r.u16(18);
  entry_ = r.u64(24);
  const uint64_t phoff = r.u64(32), shoff = r.u64(40);
  const uint16_t phentsize = r.u16(54), phnum = r.u16(56);
  const uint16_t shentsize = r.u16(58), shnum = r.u16(60), shstrndx = r.u16(62);
  if (phnum && phentsize != kPhdrSize) throw InputError(name_ + ": bad program header size");
  if (shnum && shentsize != kShdrSize) throw InputError(name_ + ": bad section header size");

  const ByteReader ph(bytes, big_, name_ + ": program headers");
  for (uint16_t i = 0; i < phnum; ++i) {
    const uint64_t o = phoff + uint64_t{i} * kPhdrSize;
    ElfSegment s;
    s.type = ph.u32(o);
    s.flags = ph.u32(o + 4);
    s.offset = ph.u64(o + 8);
    s.vaddr = ph.u64(o + 16);
    s.paddr = ph.u64(o + 24);
    s.filesz = ph.u64(o + 32);
    s.memsz = ph.u64(o + 40);
    s.align = ph.u64(o + 48);
    segment_data(s);  // bounds check now, so later users can rely on it
    segments_.push_back(s);
  }

  const ByteReader sh(bytes, big_, name_ + ": section headers");
  for (uint16_t i = 0; i < shnum; ++i) {
    const uint64_t o = shoff + uint64_t{i} * kShdrSize;
    ElfSection s;
    s.name = std::to_string(sh.u32(o));  // resolved below
    s.type = sh.u32(o + 4);
    s.flags = sh.u64(o + 8);
    s.addr = sh.u64(o + 16);
    s.offset = sh.u64(o + 24);
    s.size = sh.u64(o + 32);
    s.link = sh.u32(o + 40);
    s.info = sh.u32(o + 44);
    s.addralign = sh.u64(o + 48);
    s.entsize = sh.u64(o + 56);
    sections_.push_back(s);
  }
  if (shnum) {
    if (shstrndx >= shnum) throw InputError(name_ + ": bad section name table index");
    const auto names = section_data(sections_[shstrndx]);
    for (auto& s : sections_)
      s.name = c_string(names, std::stoull(s.name), name_ + ": section names");
    // Bounds-check every section now, by name, so later users can rely on it.
    for (const auto& s : sections_) section_data(s);
  }
}

const ElfSection* ElfFile::find_section(std::string_view name) const {
  for (const auto& s : sections_)
    if (s.name == name) return &s;
  return nullptr;
}

std::span<const uint8_t> ElfFile::section_data(const ElfSection& s) const {
  if (s.type == SHT_NOBITS) return {};
  return ByteReader(bytes_, big_, name_ + ": section " + s.name).bytes(s.offset, s.size);
}

std::span<const uint8_t> ElfFile::segment_data(const ElfSegment& s) const {
  return ByteReader(bytes_, big_, name_ + ": segment contents").bytes(s.offset, s.filesz);
}

std::vector<ElfSymbol> ElfFile::symbols() const {
  std::vector<ElfSymbol> out;
  const ElfSection* symtab = find_section(".symtab");
  if (!symtab) return out;
  if (symtab->link >= sections_.size()) throw InputError(name_ + ": bad .symtab link");
  const auto strings = section_data(sections_[symtab->link]);
  const ByteReader r(section_data(*symtab), big_, name_ + ": .symtab");
  for (size_t o = 0; o + 24 <= r.size(); o += 24) {
    ElfSymbol sym;
    sym.name = c_string(strings, r.u32(o), name_ + ": symbol names");
    sym.info = static_cast<uint8_t>(r.uint(o + 4, 1));
    sym.shndx = r.u16(o + 6);
    sym.value = r.u64(o + 8);
    sym.size = r.u64(o + 16);
    out.push_back(std::move(sym));
  }
  return out;
}

std::vector<ElfRela> ElfFile::relocations(const ElfSection& s) const {
  std::vector<ElfRela> out;
  const ByteReader r(section_data(s), big_, name_ + ": " + s.name);
  for (size_t o = 0; o + 24 <= r.size(); o += 24) {
    const uint64_t info = r.u64(o + 8);
    out.push_back({r.u64(o), static_cast<uint32_t>(info), static_cast<uint32_t>(info >> 32),
                   static_cast<int64_t>(r.u64(o + 16))});
  }
  return out;
}

std::vector<ElfNote> ElfFile::notes(const ElfSegment& s) const {
  std::vector<ElfNote> out;
  const auto data = segment_data(s);
  const ByteReader r(data, big_, name_ + ": note");
  size_t o = 0;
  while (o + 12 <= data.size()) {
    const uint32_t namesz = r.u32(o), descsz = r.u32(o + 4), type = r.u32(o + 8);
    o += 12;
    const auto name = r.bytes(o, namesz);
    o = align_up(o + namesz, 4);
    const auto desc = r.bytes(o, descsz);
    o = align_up(o + descsz, 4);
    std::string n(name.begin(), name.end());
    if (!n.empty() && n.back() == '\0') n.pop_back();
    out.push_back({n, type, desc});
  }
  return out;
}

void put_elf64_header(std::vector<uint8_t>& out, uint16_t type, uint16_t machine, bool big,
                      uint64_t entry, size_t phnum) {
  if (out.size() < kEhdrSize + phnum * kPhdrSize) out.resize(kEhdrSize + phnum * kPhdrSize, 0);
  out[0] = ELFMAG0;
  out[1] = ELFMAG1;
  out[2] = ELFMAG2;
  out[3] = ELFMAG3;
  out[EI_CLASS] = ELFCLASS64;
  out[EI_DATA] = big ? ELFDATA2MSB : ELFDATA2LSB;
  out[EI_VERSION] = EV_CURRENT;
  out[EI_OSABI] = ELFOSABI_NONE;
  put_uint(out, 16, type, 2, big);
  put_uint(out, 18, machine, 2, big);
  put_uint(out, 20, EV_CURRENT, 4, big);
  put_uint(out, 24, entry, 8, big);
  put_uint(out, 32, kEhdrSize, 8, big);  // e_phoff
  put_uint(out, 40, 0, 8, big);          // e_shoff
  put_uint(out, 52, kEhdrSize, 2, big);  // e_ehsize
  put_uint(out, 54, kPhdrSize, 2, big);
  put_uint(out, 56, phnum, 2, big);
}

void put_elf64_program_header(std::vector<uint8_t>& out, size_t index, const ElfSegment& h,
                              bool big) {
  const size_t o = kEhdrSize + index * kPhdrSize;
  put_uint(out, o, h.type, 4, big);
  put_uint(out, o + 4, h.flags, 4, big);
  put_uint(out, o + 8, h.offset, 8, big);
  put_uint(out, o + 16, h.vaddr, 8, big);
  put_uint(out, o + 24, h.paddr, 8, big);
  put_uint(out, o + 32, h.filesz, 8, big);
  put_uint(out, o + 40, h.memsz, 8, big);
  put_uint(out, o + 48, h.align, 8, big);
}

ElfLayout layout_elf(const std::vector<ElfSegment>& headers) {
  ElfLayout layout;
  layout.size = kEhdrSize + headers.size() * kPhdrSize;
  for (const ElfSegment& h : headers) {
    // Loadable contents start page-aligned in the file: loaders may want offset == vaddr mod
    // align, and it keeps segments easy to find with a hex viewer.
    const uint64_t file_align = h.type == PT_LOAD ? 4096 : 8;
    uint64_t offset = align_up(layout.size, file_align);
    if (h.type == PT_LOAD && h.align > 1) offset += h.vaddr % h.align;
    if (h.filesz == 0) offset = 0;
    layout.size = std::max(layout.size, offset + h.filesz);
    layout.offsets.push_back(offset);
  }
  return layout;
}

std::vector<uint8_t> elf_headers(uint16_t machine, bool big, uint64_t entry,
                                 const std::vector<ElfSegment>& headers) {
  std::vector<uint8_t> out;
  put_elf64_header(out, ET_EXEC, machine, big, entry, headers.size());
  put_uint(out, 58, kShdrSize, 2, big);
  for (size_t i = 0; i < headers.size(); ++i) put_elf64_program_header(out, i, headers[i], big);
  return out;
}

std::vector<uint8_t> write_elf(uint16_t machine, bool big, uint64_t entry,
                               const std::vector<ElfWriterSegment>& segments) {
  std::vector<ElfSegment> headers;
  for (const auto& s : segments) {
    headers.push_back(s.header);
    headers.back().filesz = s.data.size();
  }
  const ElfLayout layout = layout_elf(headers);
  for (size_t i = 0; i < headers.size(); ++i) headers[i].offset = layout.offsets[i];
  std::vector<uint8_t> out = elf_headers(machine, big, entry, headers);
  out.resize(layout.size, 0);
  for (size_t i = 0; i < segments.size(); ++i)
    std::copy(segments[i].data.begin(), segments[i].data.end(),
              out.begin() + static_cast<ptrdiff_t>(layout.offsets[i]));
  return out;
}

std::vector<uint8_t> make_elf_note(const std::string& name, uint32_t type,
                                   std::span<const uint8_t> desc, bool big) {
  std::vector<uint8_t> out;
  append_uint(out, name.size() + 1, 4, big);
  append_uint(out, desc.size(), 4, big);
  append_uint(out, type, 4, big);
  out.insert(out.end(), name.begin(), name.end());
  out.push_back(0);
  out.resize(align_up(out.size(), 4), 0);
  out.insert(out.end(), desc.begin(), desc.end());
  out.resize(align_up(out.size(), 4), 0);
  return out;
}

}  // namespace styx::host
