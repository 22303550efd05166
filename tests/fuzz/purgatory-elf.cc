// SPDX-License-Identifier: GPL-2.0-only
// A purgatory ELF with its relocations (what `styx-purgatory-check` and every build read), for the
// ISA the first byte chooses: check_purgatory() and load_purgatory() agree, and one that loads
// links at a base.
#include <styx/handoff.h>

#include "arch-info.h"
#include "fuzz.h"
#include "purgatory.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const auto& arches = styx::host::all_arches();
  const styx::host::ArchInfo& arch = *arches[data[0] % arches.size()];
  const auto elf = styx::fuzz::bytes(data + 1, size - 1);
  const auto problems = styx::host::check_purgatory(elf, arch, "purgatory", nullptr);
  bool loaded = false;
  styx::fuzz::refusing([&] {
    const auto purgatory = styx::host::load_purgatory(elf, arch, "purgatory");
    loaded = true;
    styx::Handoff handoff{};
    handoff.magic = styx::kHandoffMagic;
    handoff.version = styx::kHandoffVersion;
    handoff.size = sizeof handoff;
    styx::fuzz::refusing(
        [&] { (void)styx::host::link_purgatory(purgatory, arch, 0x100000, handoff); });
  });
  if (!loaded) FUZZ_CHECK(!problems.empty());
  return 0;
}
