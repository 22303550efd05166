// What the host needs to know about one ISA. Each arch/<isa>/host/ defines one ArchInfo; the
// build generates the table that arch_info() searches.
#pragma once

#include <styx/handoff.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace styx::host {

struct ArchInfo {
  std::string_view name;  ///< as in arch/<name>/ and `--arch`
  uint16_t elf_machine;   ///< e_machine of the purgatory and of images
  bool big_endian;
  uint32_t relative_reloc;  ///< R_<ISA>_RELATIVE, the only relocation the purgatory may need
  /// Boot registers, in the order of Handoff::boot_args; `--boot-arg` accepts these names.
  std::vector<std::string_view> boot_registers;
  Console default_console;
  std::vector<ConsoleKind> consoles;       ///< console kinds the purgatory can drive
  std::vector<ResetMethod> reset_methods;  ///< the first is the default
  /// Mapping granule of the emulator and alignment of `--mem` ranges.
  uint64_t page_size;
  /// The segment role that carries what the boot register points at (boot_params, dtb).
  Role boot_data_role;
  /// Where RAM usually starts on this ISA's reference machine (qemu); `styx demo` builds there.
  uint64_t demo_ram_base;
  /// Post-link check of the purgatory's code (`code` is loaded at `addr`): "" when it is fine,
  /// otherwise the first offending instruction (e.g. an SSE instruction on x86_64).
  std::string (*check_code)(std::span<const uint8_t> code, uint64_t addr);
};

/// The ISA called `name`, or nullptr.
const ArchInfo* find_arch(std::string_view name);
/// Every ISA this build knows, sorted by name.
const std::vector<const ArchInfo*>& all_arches();
/// "x86_64, arm64" for messages.
std::string arch_names();

std::string_view reset_method_name(ResetMethod method);

}  // namespace styx::host
