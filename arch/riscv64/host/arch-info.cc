// SPDX-License-Identifier: GPL-2.0-only
// riscv64 as the host sees it: Linux RISC-V boot protocol (a0 = hart id, a1 = dtb).
#include "arch-info.h"

namespace styx::host {

BootPlan plan_riscv64_boot(const BootInputs& inputs);
NextKernel read_riscv64_next_kernel(const ReadMemory& read, std::span<const uint64_t> boot_args);

const ArchInfo& styx_arch_info_riscv64() {
  static const ArchInfo info{
      .name = "riscv64",
      .aliases = {"riscv"},
      .elf_machine = 243,  // EM_RISCV
      .big_endian = false,
      .relative_reloc = 3,  // R_RISCV_RELATIVE
      .boot_registers = {"a0", "a1"},
      .boot_data_arg = 1,
      // Every SBI firmware has a console, whatever UART the board has.
      .default_console = {static_cast<uint32_t>(ConsoleKind::kSbi), 0, 0},
      .consoles = {ConsoleKind::kNone, ConsoleKind::kSbi, ConsoleKind::kUart8250Mmio,
                   ConsoleKind::kUart8250Mmio32},
      .reset_methods = {ResetMethod::kSbiSrst},
      .page_size = 4096,
      .boot_data_role = Role::kDtb,
      .demo_ram_base = 0x80000000,
      .plan_boot = plan_riscv64_boot,
      .read_next_kernel = read_riscv64_next_kernel,
      .kexec_types = {"image-riscv"},
  };
  return info;
}

}  // namespace styx::host
