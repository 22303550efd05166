// SPDX-License-Identifier: GPL-2.0-only
// What a RISC-V kernel reads at the hand-off: everything is in the device tree a1 points at.
#include <stdexcept>

#include "arch-info.h"
#include "device-tree.h"

namespace styx::host {

NextKernel read_riscv64_next_kernel(const ReadMemory& read, std::span<const uint64_t> boot_args) {
  if (boot_args.size() < 2)
    throw std::runtime_error("riscv64 hand-off without a1 (the device tree)");
  return read_next_kernel_from_fdt(read, boot_args[1]);
}

}  // namespace styx::host
