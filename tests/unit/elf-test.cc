// SPDX-License-Identifier: GPL-2.0-only
// The ELF64 reader on the real purgatories, the writer's round trip and malformed input.
#include "elf-file.h"

#include <elf.h>
#include <gtest/gtest.h>
#include <styx/handoff.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "arch-info.h"
#include "bytes.h"
#include "embedded-purgatory.h"
#include "error.h"

namespace {

using styx::host::ElfFile;
using styx::host::InputError;

std::vector<uint8_t> purgatory_bytes(std::string_view arch) {
  const auto blob = styx::host::embedded_purgatory(arch);
  return {blob.begin(), blob.end()};
}

// Throws InputError whose message names `name` and contains `detail`.
void expect_rejected(const std::vector<uint8_t>& bytes, const std::string& name,
                     const std::string& detail) {
  try {
    ElfFile elf(bytes, name);
    FAIL() << "accepted; expected an error containing '" << detail << "'";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.rfind(name + ": ", 0), 0u) << what;
    EXPECT_NE(what.find(detail), std::string::npos) << what;
  }
}

// Offset of the section header of `name` inside a little-endian ELF.
size_t section_header(const std::vector<uint8_t>& bytes, const std::string& name) {
  const ElfFile elf(bytes, "probe");
  const auto& sections = elf.sections();
  const auto it =
      std::find_if(sections.begin(), sections.end(), [&](const auto& s) { return s.name == name; });
  EXPECT_NE(it, sections.end()) << name;
  const styx::host::ByteReader r(bytes, false, "probe");
  return r.u64(40) + static_cast<size_t>(it - sections.begin()) * 64;
}

void put64(std::vector<uint8_t>& bytes, size_t offset, uint64_t v) {
  styx::host::put_uint(bytes, offset, v, 8, false);
}

class EmbeddedPurgatory : public ::testing::TestWithParam<const char*> {};

TEST_P(EmbeddedPurgatory, IsAStaticPieForItsMachineWithAHandoffSection) {
  const styx::host::ArchInfo* arch = styx::host::find_arch(GetParam());
  ASSERT_NE(arch, nullptr);
  const auto bytes = purgatory_bytes(GetParam());
  ASSERT_FALSE(bytes.empty());
  const ElfFile elf(bytes, "purgatory");
  EXPECT_EQ(elf.name(), "purgatory");
  EXPECT_EQ(elf.machine(), std::string_view(GetParam()) == "x86_64" ? 62 : 183);
  EXPECT_EQ(elf.machine(), arch->elf_machine);
  EXPECT_FALSE(elf.big_endian());
  EXPECT_EQ(elf.type(), ET_DYN);

  const auto loads = std::count_if(elf.segments().begin(), elf.segments().end(),
                                   [](const auto& s) { return s.type == PT_LOAD; });
  EXPECT_EQ(loads, 1);

  const auto* handoff = elf.find_section(STYX_HANDOFF_SECTION);
  ASSERT_NE(handoff, nullptr);
  EXPECT_EQ(handoff->type, static_cast<uint32_t>(SHT_PROGBITS));
  EXPECT_EQ(handoff->size, sizeof(styx::Handoff));
  EXPECT_EQ(elf.section_data(*handoff).size(), sizeof(styx::Handoff));
  EXPECT_EQ(elf.find_section(".no-such-section"), nullptr);

  const auto symbols = elf.symbols();
  const auto sym = std::find_if(symbols.begin(), symbols.end(),
                                [](const auto& s) { return s.name == "styx_handoff"; });
  ASSERT_NE(sym, symbols.end());
  EXPECT_EQ(sym->value, handoff->addr);
  EXPECT_EQ(sym->size, sizeof(styx::Handoff));

  const auto* rela = elf.find_section(".rela.dyn");
  ASSERT_NE(rela, nullptr);
  const auto relocs = elf.relocations(*rela);
  EXPECT_EQ(relocs.size(), rela->size / 24);
  for (const auto& r : relocs) EXPECT_EQ(r.type, arch->relative_reloc);
}

INSTANTIATE_TEST_SUITE_P(AllArches, EmbeddedPurgatory, ::testing::Values("x86_64", "arm64"));

class ElfWriter : public ::testing::TestWithParam<bool> {};

TEST_P(ElfWriter, RoundTripsSegmentsAndNotes) {
  const bool big = GetParam();
  const std::vector<uint8_t> desc = {1, 2, 3, 4, 5};
  std::vector<styx::host::ElfWriterSegment> in(4);
  in[0].header = {PT_NOTE, PF_R, 0, 0, 0, 0, 0, 4};
  in[0].data = styx::host::make_elf_note("Styx", 0x53545831, desc, big);
  in[1].header = {PT_LOAD, PF_R | PF_X, 0, 0x40001234, 0x40001234, 0, 0x3000, 4096};
  in[1].data.assign(5000, 0xab);
  in[2].header = {PT_LOAD, PF_R | PF_W, 0, 0x48000000, 0x48000000, 0, 0x2000, 1};  // all .bss
  in[3].header = {PT_LOAD, PF_R, 0, 0x50000000, 0x50000000, 0, 3, 1};
  in[3].data = {7, 8, 9};

  const auto bytes = styx::host::write_elf(183, big, 0x40001234, in);
  const ElfFile elf(bytes, "image");
  EXPECT_EQ(elf.big_endian(), big);
  EXPECT_EQ(elf.type(), ET_EXEC);
  EXPECT_EQ(elf.machine(), 183);
  EXPECT_EQ(elf.entry(), 0x40001234u);
  EXPECT_TRUE(elf.sections().empty());
  ASSERT_EQ(elf.segments().size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    SCOPED_TRACE("segment " + std::to_string(i));
    const auto& got = elf.segments()[i];
    const auto& want = in[i].header;
    EXPECT_EQ(got.type, want.type);
    EXPECT_EQ(got.flags, want.flags);
    EXPECT_EQ(got.vaddr, want.vaddr);
    EXPECT_EQ(got.paddr, want.paddr);
    EXPECT_EQ(got.memsz, want.memsz);
    EXPECT_EQ(got.align, want.align);
    EXPECT_EQ(got.filesz, in[i].data.size());
    const auto data = elf.segment_data(got);
    EXPECT_EQ(std::vector<uint8_t>(data.begin(), data.end()), in[i].data);
  }
  // Loadable contents sit at file offsets congruent to their address modulo the page size.
  EXPECT_EQ(elf.segments()[1].offset % 4096, 0x234u);

  const auto notes = elf.notes(elf.segments()[0]);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].name, "Styx");
  EXPECT_EQ(notes[0].type, 0x53545831u);
  EXPECT_EQ(std::vector<uint8_t>(notes[0].desc.begin(), notes[0].desc.end()), desc);
}

TEST_P(ElfWriter, NoteRecordIsPaddedToFourBytes) {
  const bool big = GetParam();
  const std::vector<uint8_t> desc = {0xd1, 0xd2, 0xd3, 0xd4, 0xd5};
  const auto note = styx::host::make_elf_note("Styx", 0x01020304, desc, big);
  // namesz 5 ("Styx\0") padded to 8, descsz 5 padded to 8.
  std::vector<uint8_t> want = big ? std::vector<uint8_t>{0, 0, 0, 5, 0, 0, 0, 5, 1, 2, 3, 4}
                                  : std::vector<uint8_t>{5, 0, 0, 0, 5, 0, 0, 0, 4, 3, 2, 1};
  for (uint8_t c : {'S', 't', 'y', 'x', '\0', '\0', '\0', '\0'}) want.push_back(c);
  want.insert(want.end(), {0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0, 0, 0});
  EXPECT_EQ(note, want);
}

TEST_P(ElfWriter, SeveralNotesInOneSegmentAreAllRead) {
  const bool big = GetParam();
  const std::vector<uint8_t> a = {1, 2, 3, 4}, b = {};
  std::vector<styx::host::ElfWriterSegment> in(1);
  in[0].header = {PT_NOTE, PF_R, 0, 0, 0, 0, 0, 4};
  in[0].data = styx::host::make_elf_note("GNU", 3, a, big);
  const auto second = styx::host::make_elf_note("Styx", 7, b, big);
  in[0].data.insert(in[0].data.end(), second.begin(), second.end());
  const auto bytes = styx::host::write_elf(62, big, 0, in);
  const ElfFile elf(bytes, "notes");
  const auto notes = elf.notes(elf.segments()[0]);
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[0].name, "GNU");
  EXPECT_EQ(notes[0].type, 3u);
  EXPECT_EQ(notes[0].desc.size(), 4u);
  EXPECT_EQ(notes[1].name, "Styx");
  EXPECT_EQ(notes[1].type, 7u);
  EXPECT_TRUE(notes[1].desc.empty());
}

INSTANTIATE_TEST_SUITE_P(BothByteOrders, ElfWriter, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Big" : "Little"; });

TEST(ElfFile, RejectsNonElf) {
  const std::string text = "#!/bin/sh\necho not an ELF file at all, just text\n";
  expect_rejected({text.begin(), text.end()}, "script.sh", "not an ELF file");
  expect_rejected({}, "empty", "not an ELF file");
  expect_rejected({0x7f, 'E', 'L'}, "short", "not an ELF file");
}

TEST(ElfFile, Rejects32BitElf) {
  auto bytes = purgatory_bytes("x86_64");
  bytes[EI_CLASS] = ELFCLASS32;
  expect_rejected(bytes, "elf32", "not a 64-bit ELF file");
}

TEST(ElfFile, RejectsUnknownByteOrder) {
  auto bytes = purgatory_bytes("x86_64");
  bytes[EI_DATA] = 7;
  expect_rejected(bytes, "odd", "unknown ELF byte order");
}

TEST(ElfFile, RejectsTruncatedHeader) {
  const auto bytes = purgatory_bytes("arm64");
  for (const size_t size : {size_t{EI_NIDENT}, size_t{20}, size_t{40}, size_t{63}}) {
    SCOPED_TRACE(size);
    expect_rejected({bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(size)}, "cut.elf",
                    "ELF header: truncated");
  }
}

TEST(ElfFile, RejectsTruncatedFile) {
  const auto bytes = purgatory_bytes("x86_64");
  // Cut inside the section headers at the end of the file.
  expect_rejected({bytes.begin(), bytes.end() - 10}, "cut.elf", "truncated");
}

TEST(ElfFile, RejectsProgramHeadersPastTheEnd) {
  auto bytes = purgatory_bytes("x86_64");
  put64(bytes, 32, bytes.size() + 100);  // e_phoff
  expect_rejected(bytes, "phoff.elf", "program headers: truncated");
  put64(bytes, 32, ~0ull - 8);
  expect_rejected(bytes, "phoff.elf", "program headers: truncated");
}

TEST(ElfFile, RejectsSegmentContentsPastTheEnd) {
  auto bytes = purgatory_bytes("arm64");
  const size_t phoff = styx::host::ByteReader(bytes, false, "probe").u64(32);
  put64(bytes, phoff + 32, bytes.size());  // p_filesz of the first program header
  expect_rejected(bytes, "filesz.elf", "segment contents: truncated");
}

TEST(ElfFile, RejectsSectionHeadersPastTheEnd) {
  auto bytes = purgatory_bytes("x86_64");
  put64(bytes, 40, bytes.size() - 32);  // e_shoff: the first header straddles the end
  expect_rejected(bytes, "shoff.elf", "section headers: truncated");
}

TEST(ElfFile, RejectsSectionOffsetPastTheEnd) {
  for (const char* arch : {"x86_64", "arm64"}) {
    SCOPED_TRACE(arch);
    auto bytes = purgatory_bytes(arch);
    const size_t sh = section_header(bytes, STYX_HANDOFF_SECTION);
    put64(bytes, sh + 24, bytes.size() + 1);  // sh_offset
    expect_rejected(bytes, "shoff.elf", "truncated");
    put64(bytes, sh + 24, ~0ull - 4);  // offset + size wraps
    expect_rejected(bytes, "shoff.elf", "truncated");
  }
}

TEST(ElfFile, RejectsSectionSizePastTheEnd) {
  auto bytes = purgatory_bytes("x86_64");
  const size_t sh = section_header(bytes, ".rela.dyn");
  put64(bytes, sh + 32, bytes.size());  // sh_size
  expect_rejected(bytes, "shsize.elf", "truncated");
}

TEST(ElfFile, RejectsBadHeaderEntrySizes) {
  auto bytes = purgatory_bytes("x86_64");
  styx::host::put_uint(bytes, 54, 32, 2, false);  // e_phentsize
  expect_rejected(bytes, "ph.elf", "bad program header size");
  bytes = purgatory_bytes("x86_64");
  styx::host::put_uint(bytes, 58, 40, 2, false);  // e_shentsize
  expect_rejected(bytes, "sh.elf", "bad section header size");
}

TEST(ElfFile, RejectsBadSectionNameTableIndex) {
  auto bytes = purgatory_bytes("arm64");
  const uint16_t shnum = styx::host::ByteReader(bytes, false, "probe").u16(60);
  styx::host::put_uint(bytes, 62, shnum, 2, false);  // e_shstrndx
  expect_rejected(bytes, "strndx.elf", "bad section name table index");
}

TEST(ElfFile, RejectsNotePastItsSegment) {
  std::vector<styx::host::ElfWriterSegment> in(1);
  in[0].header = {PT_NOTE, PF_R, 0, 0, 0, 0, 0, 4};
  in[0].data = styx::host::make_elf_note("Styx", 1, std::vector<uint8_t>(8, 1), false);
  styx::host::put_uint(in[0].data, 4, 1000, 4, false);  // descsz beyond the segment
  const auto bytes = styx::host::write_elf(62, false, 0, in);
  const ElfFile elf(bytes, "note.elf");
  try {
    elf.notes(elf.segments()[0]);
    FAIL() << "note past its segment accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("note.elf: note: truncated"), std::string::npos)
        << e.what();
  }
}

}  // namespace
