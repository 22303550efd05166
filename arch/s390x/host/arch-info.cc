// SPDX-License-Identifier: GPL-2.0-only
// s390x as the host sees it: big-endian, RAM from 0 with the lowcore in its first 8 KiB, Linux
// loaded at 0 and entered at 0x10000 with its boot data in the image's own parameter area at
// 0x10400. The one boot register, r2, holds that area's address: a Styx convention (kexec passes
// nothing in registers and Linux reads the fixed address), which makes the boot data's role
// `kernel`, the segment the area is part of.
#include "arch-info.h"

namespace styx::host {

BootPlan plan_s390x_boot(const BootInputs& inputs);
NextKernel read_s390x_next_kernel(const ReadMemory& read, std::span<const uint64_t> boot_args);

const ArchInfo& styx_arch_info_s390x() {
  static const ArchInfo info{
      .name = "s390x",
      .aliases = {"s390"},
      .elf_machine = 22,  // EM_S390
      .big_endian = true,
      .relative_reloc = 12,  // R_390_RELATIVE
      .boot_registers = {"r2"},
      // Every machine and hypervisor (LPAR, z/VM, KVM, qemu) has the SCLP's ASCII console.
      .default_console = {static_cast<uint32_t>(ConsoleKind::kSclp), 0, 0},
      .consoles = {ConsoleKind::kNone, ConsoleKind::kSclp},
      .reset_methods = {ResetMethod::kDiag308},
      .page_size = 4096,
      .boot_data_role = Role::kKernel,
      .demo_ram_base = 0,
      .plan_boot = plan_s390x_boot,
      .read_next_kernel = read_s390x_next_kernel,
      .kexec_types = {"image"},
  };
  return info;
}

}  // namespace styx::host
