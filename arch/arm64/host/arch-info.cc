// SPDX-License-Identifier: GPL-2.0-only
// arm64 as the host sees it: Linux arm64 boot protocol (x0 = dtb, x1-x3 = 0).
#include "arch-info.h"

namespace styx::host {

BootPlan plan_arm64_boot(const BootInputs& inputs);
NextKernel read_arm64_next_kernel(const ReadMemory& read, std::span<const uint64_t> boot_args);

const ArchInfo& styx_arch_info_arm64() {
  static const ArchInfo info{
      .name = "arm64",
      .aliases = {"aarch64"},
      .elf_machine = 183,  // EM_AARCH64
      .big_endian = false,
      .relative_reloc = 1027,  // R_AARCH64_RELATIVE
      .boot_registers = {"x0"},
      .default_console = {static_cast<uint32_t>(ConsoleKind::kPl011), 0, 0x09000000},
      .consoles = {ConsoleKind::kNone, ConsoleKind::kPl011, ConsoleKind::kUart8250Mmio,
                   ConsoleKind::kUart8250Mmio32},
      .reset_methods = {ResetMethod::kPsciHvc, ResetMethod::kPsciSmc},
      .page_size = 4096,
      .boot_data_role = Role::kDtb,
      .demo_ram_base = 0x40000000,
      .plan_boot = plan_arm64_boot,
      .read_next_kernel = read_arm64_next_kernel,
      .kexec_types = {"Image", "vmlinuz"},
  };
  return info;
}

}  // namespace styx::host
