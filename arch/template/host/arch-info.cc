// SPDX-License-Identifier: GPL-2.0-only
// Template: what the host needs to know about the ISA (host/lib/arch-info.h). Fill in every field;
// the values below are placeholders that no real ISA uses.
#include "arch-info.h"

namespace styx::host {

const ArchInfo& styx_arch_info_template() {
  static const ArchInfo info{
      .name = "template",
      .elf_machine = 0,      // EM_<ISA> from <elf.h>
      .big_endian = false,   // the target's byte order
      .relative_reloc = 0,   // R_<ISA>_RELATIVE
      .boot_registers = {},  // Linux boot registers in Handoff::boot_args order
      .default_console = {},
      .consoles = {ConsoleKind::kNone},
      .reset_methods = {ResetMethod::kDefault},
      .page_size = 4096,
      .boot_data_role = Role::kData,  // what the boot register points at (dtb, bootparams)
      .demo_ram_base = 0,             // where RAM starts on the reference machine
      // .plan_boot and .read_next_kernel: add them to boot Linux (see arch/arm64/host/).
  };
  return info;
}

}  // namespace styx::host
