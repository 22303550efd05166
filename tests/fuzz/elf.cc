// SPDX-License-Identifier: GPL-2.0-only
// The ELF64 reader under every other format (images, purgatories, ppc64le vmlinux): every
// section, symbol, relocation and note it offers on a file it accepts.
#include "elf-file.h"
#include "fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  styx::fuzz::refusing([&] {
    const styx::host::ElfFile elf(styx::fuzz::bytes(data, size), "elf");
    for (const auto& s : elf.sections()) {
      styx::fuzz::refusing([&] { (void)elf.section_data(s); });
      styx::fuzz::refusing([&] { (void)elf.relocations(s); });
    }
    for (const auto& s : elf.segments()) {
      styx::fuzz::refusing([&] { (void)elf.segment_data(s); });
      styx::fuzz::refusing([&] { (void)elf.notes(s); });
    }
    styx::fuzz::refusing([&] { (void)elf.symbols(); });
  });
  return 0;
}
