// SPDX-License-Identifier: GPL-2.0-only
// What an arm64 kernel reads at the hand-off: everything is in the device tree x0 points at.
#include <stdexcept>

#include "arch-info.h"
#include "device-tree.h"

namespace styx::host {

NextKernel read_arm64_next_kernel(const ReadMemory& read, std::span<const uint64_t> boot_args) {
  if (boot_args.empty()) throw std::runtime_error("arm64 hand-off without x0 (the device tree)");
  return read_next_kernel_from_fdt(read, boot_args[0]);
}

}  // namespace styx::host
