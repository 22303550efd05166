// SPDX-License-Identifier: GPL-2.0-only
// The ppc64le kernel format Styx boots: an ELF `vmlinux`, flattened for loading.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace styx::host {

struct Ppc64Kernel {
  /// The PT_LOADs' file bytes at their offsets from the lowest p_paddr (gaps zeroed).
  std::vector<uint8_t> image;
  /// Bytes from the lowest p_paddr to the end of the last PT_LOAD's memory (up to _end, .bss
  /// included): what the kernel occupies once it runs.
  uint64_t memsz = 0;
  /// Where e_entry lies in `image`.
  uint64_t entry_offset = 0;
};

/// InputError "NAME: ..." for anything but a little-endian EM_PPC64 executable with PT_LOADs
/// whose bytes are in the file and that do not overlap.
Ppc64Kernel parse_ppc64_vmlinux(std::span<const uint8_t> file, const std::string& name);

}  // namespace styx::host
