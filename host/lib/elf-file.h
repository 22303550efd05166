// SPDX-License-Identifier: GPL-2.0-only
// A strict reader and a small writer for ELF64 files of either byte order.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace styx::host {

struct ElfSegment {
  uint32_t type = 0;
  uint32_t flags = 0;
  uint64_t offset = 0;
  uint64_t vaddr = 0;
  uint64_t paddr = 0;
  uint64_t filesz = 0;
  uint64_t memsz = 0;
  uint64_t align = 0;
};

struct ElfSection {
  std::string name;
  uint32_t type = 0;
  uint64_t flags = 0;
  uint64_t addr = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
  uint32_t link = 0;
  uint32_t info = 0;
  uint64_t addralign = 0;
  uint64_t entsize = 0;
};

struct ElfSymbol {
  std::string name;
  uint64_t value = 0;
  uint64_t size = 0;
  uint8_t info = 0;
  uint16_t shndx = 0;
};

struct ElfRela {
  uint64_t offset = 0;
  uint32_t type = 0;
  uint32_t symbol = 0;
  int64_t addend = 0;
};

struct ElfNote {
  std::string name;
  uint32_t type = 0;
  std::span<const uint8_t> desc;
};

/// A parsed view of an ELF64 file; the bytes must outlive it. Every offset is bounds-checked:
/// malformed input throws InputError naming the file.
class ElfFile {
 public:
  ElfFile(std::span<const uint8_t> bytes, std::string name);

  const std::string& name() const { return name_; }
  bool big_endian() const { return big_; }
  uint16_t type() const { return type_; }
  uint16_t machine() const { return machine_; }
  uint64_t entry() const { return entry_; }
  const std::vector<ElfSegment>& segments() const { return segments_; }
  const std::vector<ElfSection>& sections() const { return sections_; }

  const ElfSection* find_section(std::string_view name) const;
  std::span<const uint8_t> section_data(const ElfSection& s) const;
  std::span<const uint8_t> segment_data(const ElfSegment& s) const;
  /// Symbols of .symtab (empty if the file has none).
  std::vector<ElfSymbol> symbols() const;
  /// Entries of a SHT_RELA section.
  std::vector<ElfRela> relocations(const ElfSection& s) const;
  /// Notes of a PT_NOTE segment.
  std::vector<ElfNote> notes(const ElfSegment& s) const;

 private:
  std::span<const uint8_t> bytes_;
  std::string name_;
  bool big_ = false;
  uint16_t type_ = 0;
  uint16_t machine_ = 0;
  uint64_t entry_ = 0;
  std::vector<ElfSegment> segments_;
  std::vector<ElfSection> sections_;
};

/// Writes the ELF64 file header of a file of `type` with `phnum` program headers right after it
/// (no section headers), growing `out` to hold both.
void put_elf64_header(std::vector<uint8_t>& out, uint16_t type, uint16_t machine, bool big_endian,
                      uint64_t entry, size_t phnum);
/// Writes program header `index` after a put_elf64_header, every field as given.
void put_elf64_program_header(std::vector<uint8_t>& out, size_t index, const ElfSegment& h,
                              bool big_endian);

/// Builds an ET_EXEC ELF64 file from program headers and their contents (no section headers).
struct ElfWriterSegment {
  ElfSegment header;  ///< offset and filesz are filled in by write_elf
  std::vector<uint8_t> data;
};
std::vector<uint8_t> write_elf(uint16_t machine, bool big_endian, uint64_t entry,
                               const std::vector<ElfWriterSegment>& segments);

/// Where write_elf() puts each segment's contents, given the headers with filesz set: the
/// offsets (0 for empty contents) and the file's size. For a writer that streams the contents.
struct ElfLayout {
  std::vector<uint64_t> offsets;
  uint64_t size = 0;
};
ElfLayout layout_elf(const std::vector<ElfSegment>& headers);
/// The file and program headers write_elf() starts its file with, `headers` complete.
std::vector<uint8_t> elf_headers(uint16_t machine, bool big_endian, uint64_t entry,
                                 const std::vector<ElfSegment>& headers);

/// The bytes of one ELF note record (name, type, descriptor, with 4-byte padding).
std::vector<uint8_t> make_elf_note(const std::string& name, uint32_t type,
                                   std::span<const uint8_t> desc, bool big_endian);

}  // namespace styx::host
