// SPDX-License-Identifier: GPL-2.0-only
// ppc64le as the host sees it: the Linux ppc64 kexec hand-off (r3 = dtb, r4 = kernel base, r5 = 0).
#include "arch-info.h"

namespace styx::host {

BootPlan plan_ppc64le_boot(const BootInputs& inputs);
NextKernel read_ppc64le_next_kernel(const ReadMemory& read, std::span<const uint64_t> boot_args);

const ArchInfo& styx_arch_info_ppc64le() {
  static const ArchInfo info{
      .name = "ppc64le",
      .aliases = {"ppc64el"},
      .elf_machine = 21,  // EM_PPC64
      .big_endian = false,
      .relative_reloc = 22,  // R_PPC64_RELATIVE
      .boot_registers = {"r3", "r4"},
      .default_console = {static_cast<uint32_t>(ConsoleKind::kHvterm), 0, 0},
      .consoles = {ConsoleKind::kNone, ConsoleKind::kHvterm, ConsoleKind::kUart8250Mmio},
      .reset_methods = {ResetMethod::kPseriesRtas},
      .page_size = 4096,  // Unicorn's granule; 64 KiB-page kernels map it as they like
      .boot_data_role = Role::kDtb,
      // RAM starts at 0 on pseries and powernv, where a booted kernel copies itself; `styx demo`
      // places its samples from 0x200000 up.
      .demo_ram_base = 0,
      .plan_boot = plan_ppc64le_boot,
      .read_next_kernel = read_ppc64le_next_kernel,
      .kexec_types = {"elf-ppc64"},
  };
  return info;
}

}  // namespace styx::host
