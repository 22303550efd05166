// s390x as the host sees it: big-endian, RAM from 0 with the lowcore in its first 8 KiB, Linux
// entered at 0x10000 with its parameter area in the image; r2 carries the boot data's address
// for payloads that want it (Linux ignores it).
#include "arch-info.h"

namespace styx::host {

const ArchInfo& styx_arch_info_s390x() {
  static const ArchInfo info{
      .name = "s390x",
      .elf_machine = 22,  // EM_S390
      .big_endian = true,
      .relative_reloc = 12,  // R_390_RELATIVE
      .boot_registers = {"r2"},
      .default_console = {},
      .consoles = {ConsoleKind::kNone},
      .reset_methods = {ResetMethod::kDiag308},
      .page_size = 4096,
      .boot_data_role = Role::kData,
      .demo_ram_base = 0,
  };
  return info;
}

}  // namespace styx::host
