// SPDX-License-Identifier: GPL-2.0-only
// What the host needs to know about one ISA. Each arch/<isa>/host/ defines one ArchInfo; the
// build generates the table that arch_info() searches.
#pragma once

#include <styx/handoff.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace styx::host {

struct BootInputs;
struct BootPlan;
struct MemRange;
class LiveSystem;

/// Reads `size` bytes of the target's physical memory (for inspecting a hand-off); throws
/// std::runtime_error when the range is not readable.
using ReadMemory = std::function<std::vector<uint8_t>(uint64_t addr, uint64_t size)>;

/// `size` bytes at `addr` through `read`; std::runtime_error naming `what` when fewer come back.
std::vector<uint8_t> read_memory_exactly(const ReadMemory& read, uint64_t addr, uint64_t size,
                                         const std::string& what);

/// What the next kernel reads at the hand-off, as the ISA's boot protocol presents it.
struct NextKernel {
  std::string cmdline;
  std::optional<std::pair<uint64_t, uint64_t>> initrd;  ///< address, size
  std::optional<std::pair<uint64_t, uint64_t>> ima;     ///< address, size of the IMA buffer
  std::vector<std::pair<uint64_t, uint64_t>> memory;    ///< usable RAM: start, size
};

struct ArchInfo {
  std::string_view name;  ///< as in arch/<name>/ and `--arch`
  /// Other names of the ISA that `--arch` takes and uname(2) may report (aarch64, amd64...).
  std::vector<std::string_view> aliases = {};
  uint16_t elf_machine;  ///< e_machine of the purgatory and of images
  bool big_endian;
  uint32_t relative_reloc;  ///< R_<ISA>_RELATIVE, the only relocation the purgatory may need
  /// Boot registers, in the order of Handoff::boot_args; `--boot-arg` accepts these names.
  std::vector<std::string_view> boot_registers;
  /// Index in boot_registers of the one that points at the boot data (riscv64: a1, after the
  /// hart id in a0).
  size_t boot_data_arg = 0;
  Console default_console;
  std::vector<ConsoleKind> consoles;       ///< console kinds the purgatory can drive
  std::vector<ResetMethod> reset_methods;  ///< the first is the default
  /// Mapping granule of the emulator and alignment of `--mem` ranges.
  uint64_t page_size;
  /// The segment role that carries what the boot register points at (boot_params, dtb).
  Role boot_data_role;
  /// Where RAM usually starts on this ISA's reference machine (qemu); `styx demo` builds there.
  uint64_t demo_ram_base;
  /// Lays out a Linux boot (kernel format, boot data, IMA hand-over); nullptr until supported.
  /// InputError naming the input for anything that cannot boot.
  BootPlan (*plan_boot)(const BootInputs& inputs) = nullptr;
  /// Reads what the next kernel sees, given the boot registers at the hand-off (Handoff order).
  NextKernel (*read_next_kernel)(const ReadMemory& read,
                                 std::span<const uint64_t> boot_args) = nullptr;
  /// kexec-tools' names (`kexec -t TYPE`) of the kernel formats plan_boot reads.
  std::vector<std::string_view> kexec_types = {};
  /// The rate of the purgatory's timer measured on the running machine (`styx load`), for ISAs
  /// whose purgatory can neither read it nor find it in the boot data; 0 when it cannot be
  /// measured. nullptr: nothing to measure.
  uint64_t (*measure_timer_hz)(const LiveSystem& live) = nullptr;

  std::string_view boot_data_register() const { return boot_registers.at(boot_data_arg); }
};

/// The ISA called `name` or one of its aliases, or nullptr.
const ArchInfo* find_arch(std::string_view name);
/// Every ISA this build knows, sorted by name.
const std::vector<const ArchInfo*>& all_arches();
/// "x86_64, arm64" for messages.
std::string arch_names();

/// The ISA's reset methods as `--reset-method` spells them: "psci-hvc, psci-smc".
std::string reset_method_names(const ArchInfo& arch);

std::string_view reset_method_name(ResetMethod method);

}  // namespace styx::host
