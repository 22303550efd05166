// SPDX-License-Identifier: GPL-2.0-only
// Per-ISA sample boots for the emulated next-kernel tests: a synthetic kernel of the ISA's format
// (only its header matters before the entry), the boot data it needs, and the memory options.
// A new ISA that boots Linux adds sample-boot-<isa>.cc and one line in sample-boot.cc.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace styx::test {

struct SampleBoot {
  std::vector<uint8_t> kernel;
  size_t truncated_size = 0;           ///< a length at which `kernel` is refused as truncated
  std::vector<uint8_t> dtb;            ///< empty when the ISA takes no device tree
  std::vector<std::string> mem_args;   ///< extra `styx build` arguments for RAM
  std::vector<std::string> small_mem;  ///< RAM arguments too small for the kernel
  /// What the next kernel is told about RAM: (start, size) as "0x..." strings.
  std::vector<std::pair<std::string, std::string>> memory;
  size_t cmdline_limit = 0;  ///< longest command line the protocol takes, 0 = none
};

SampleBoot sample_boot(const std::string& arch);

/// Little-endian store into a byte vector.
void put_le(std::vector<uint8_t>& f, size_t at, uint64_t v, size_t width);
/// A qemu-virt-like device tree: RAM at `ram_base`, a UART at `uart` with `compatible`, /chosen
/// with stdout-path pointing at it.
std::vector<uint8_t> virt_dtb(uint64_t ram_base, uint64_t ram_size, uint64_t uart,
                              const char* compatible);

SampleBoot sample_boot_x86_64();
SampleBoot sample_boot_arm64();
SampleBoot sample_boot_riscv64();
SampleBoot sample_boot_ppc64le();
SampleBoot sample_boot_s390x();

}  // namespace styx::test
