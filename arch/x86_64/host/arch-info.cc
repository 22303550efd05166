// SPDX-License-Identifier: GPL-2.0-only
// x86_64 as the host sees it: Linux 64-bit boot protocol (rsi = boot_params).
#include "arch-info.h"

#include "tsc-rate.h"

namespace styx::host {

BootPlan plan_x86_64_boot(const BootInputs& inputs);
NextKernel read_x86_64_next_kernel(const ReadMemory& read, std::span<const uint64_t> boot_args);

const ArchInfo& styx_arch_info_x86_64() {
  static const ArchInfo info{
      .name = "x86_64",
      .aliases = {"amd64", "x86-64"},
      .elf_machine = 62,  // EM_X86_64
      .big_endian = false,
      .relative_reloc = 8,  // R_X86_64_RELATIVE
      .boot_registers = {"rsi"},
      .default_console = {static_cast<uint32_t>(ConsoleKind::kUart8250Io), 0, 0x3f8},
      .consoles = {ConsoleKind::kNone, ConsoleKind::kUart8250Io, ConsoleKind::kUart8250Mmio,
                   ConsoleKind::kUart8250Mmio32},
      .reset_methods = {ResetMethod::kPortCf9},
      .page_size = 4096,
      .boot_data_role = Role::kBootParams,
      .demo_ram_base = 0x100000,
      .plan_boot = plan_x86_64_boot,
      .read_next_kernel = read_x86_64_next_kernel,
      .kexec_types = {"bzImage64", "bzImage"},
      .measure_timer_hz = measure_x86_64_tsc_hz,
  };
  return info;
}

}  // namespace styx::host
