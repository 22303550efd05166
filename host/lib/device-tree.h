// SPDX-License-Identifier: GPL-2.0-only
// Flattened device trees for the DT boot protocols (arm64, riscv64, ppc64): checking a blob,
// reading its memory map and console, and editing /chosen and /memreserve/ the way Linux's own
// kexec_file_load does, so that a kernel booted by Styx sees what a kexec'd kernel would.
//
// Not called fdt.h: that name would shadow libfdt's own <fdt.h>, which <libfdt.h> includes.
//
// Cells are read as the kernel reads them early in boot: /memory, /reserved-memory and the
// /chosen properties use the root's #address-cells and #size-cells (1 when absent, as in Linux).
#pragma once

#include <styx/handoff.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "arch-info.h"
#include "boot.h"
#include "image.h"
#include "layout.h"
#include "ranges.h"

namespace styx::host {

/// Linux's kexec gives the next kernel this much fresh entropy in /chosen/rng-seed.
inline constexpr size_t kRngSeedSize = 128;

class DeviceTree {
 public:
  /// Checks the blob (header, sizes, every node and property, the /memreserve/ block) and takes
  /// a copy to edit. InputError "NAME: ..." when it is not a device tree, truncated or malformed.
  DeviceTree(std::span<const uint8_t> blob, std::string name);

  const std::string& name() const { return name_; }

  /// The root's #address-cells / #size-cells.
  uint32_t address_cells() const;
  uint32_t size_cells() const;

  // --- Reading. Paths may start with an alias; a missing node or property is nullopt. ---

  std::optional<std::vector<uint8_t>> property(std::string_view path, std::string_view name) const;
  /// A string property without its NUL.
  std::optional<std::string> string_property(std::string_view path, std::string_view name) const;
  /// A 4- or 8-byte property as one big-endian number (how Linux reads linux,initrd-start).
  std::optional<uint64_t> number_property(std::string_view path, std::string_view name) const;

  /// RAM as Linux sees it: `linux,usable-memory` (else `reg`) of every enabled root child with
  /// device_type "memory", sorted, empty entries dropped.
  std::vector<MemRange> memory() const;
  /// The CPUs' timer rate: /cpus' `timebase-frequency`, else the first cpu node's; 0 if none.
  uint64_t timebase_frequency() const;
  /// The /memreserve/ entries, in order.
  std::vector<MemRange> memreserve() const;
  /// `reg` of every enabled /reserved-memory child. Children without `reg` (sized, dynamically
  /// placed regions) are left out: the next kernel allocates them around what is reserved.
  std::vector<MemRange> reserved_memory() const;
  /// Both kinds of reservation: what nothing may be placed in.
  std::vector<MemRange> reservations() const;

  /// The console /chosen/stdout-path (or linux,stdout-path) names: options after ':' dropped,
  /// aliases resolved, `reg` translated through the parents' `ranges`. "arm,pl011" is a PL011;
  /// ns16550a-style UARTs are uart8250 mmio, or mmio32 with reg-shift 2 or reg-io-width 4.
  /// Nullopt when there is none or it is not a device Styx drives.
  std::optional<Console> stdout_console() const;

  // --- Editing. The tree grows as needed; InputError naming the tree if libfdt refuses. ---

  void set_property(std::string_view path, std::string_view name, std::span<const uint8_t> value);
  void set_string(std::string_view path, std::string_view name, std::string_view value);
  void set_u64(std::string_view path, std::string_view name, uint64_t value);
  /// Deletes the property if present.
  void delete_property(std::string_view path, std::string_view name);
  /// <addr size> in the root's cells; InputError if a value does not fit them.
  std::vector<uint8_t> encode_addr_size(uint64_t addr, uint64_t size) const;

  void add_memreserve(uint64_t addr, uint64_t size);
  /// Removes the first entry that is exactly [addr, addr+size); false if there is none.
  bool remove_memreserve(uint64_t addr, uint64_t size);

  // --- The kexec hand-over in /chosen (created when missing). ---

  /// Forgets what a tree taken from a running system says about its own boot: the crash-kernel
  /// properties, linux,initrd-start/-end and linux,ima-kexec-buffer, and the /memreserve/ entries
  /// that reserved exactly that initrd or IMA buffer (exact or page-rounded size). Call before
  /// reading reservations for placement: those ranges are free for the next boot.
  void remove_stale_kexec_state(uint64_t page_size = 4096);
  void set_bootargs(std::string_view cmdline);
  /// linux,initrd-start/-end as u64, and a /memreserve/ entry for the initrd.
  void set_initrd(uint64_t addr, uint64_t size);
  /// linux,ima-kexec-buffer = <addr size> in the root's cells, and a page-rounded /memreserve/
  /// entry: the kernel needs the buffer memblock-reserved yet still mapped as RAM.
  void set_ima_buffer(uint64_t addr, uint64_t size, uint64_t page_size = 4096);
  /// New kaslr-seed (u64) and rng-seed (kRngSeedSize bytes) from getrandom(2); both are removed
  /// and left out if the host cannot supply randomness.
  void refresh_seeds();

  /// The hand-over a DT kernel reads from /chosen, as every DT ISA's boot planner writes it:
  /// bootargs (kept when `cmdline` is empty), the initrd and IMA buffer (addr, size) when given,
  /// fresh seeds; then the tree packed, ready to load.
  std::vector<uint8_t> write_boot_chosen(std::string_view cmdline,
                                         std::optional<std::pair<uint64_t, uint64_t>> initrd,
                                         std::optional<std::pair<uint64_t, uint64_t>> ima,
                                         uint64_t page_size);
  /// The tree packed (no free space), ready to load.
  std::vector<uint8_t> pack() const;
  /// The tree as it is now, with its free space; for reading back during edits.
  std::span<const uint8_t> raw() const { return buf_; }

 private:
  int node_offset(std::string_view path) const;
  void check_root_cells(std::string_view what) const;
  int ensure_node(std::string_view path);
  template <class Edit>
  int edit(std::string_view what, Edit&& fn);

  std::vector<uint8_t> buf_;
  std::string name_;
};

/// Overlapping or touching ranges merged, each shrunk to whole `page`s, sorted; empty ones dropped.
std::vector<MemRange> whole_pages(std::vector<MemRange> ranges, uint64_t page);

/// The RAM a DT boot describes and places in, what it must leave alone there, and where the RAM
/// came from (BootPlan::ram_source).
struct DtBootRam {
  std::vector<MemRange> ram;
  std::vector<MemRange> avoid;
  std::string source;
};
/// --mem (`in.ram`), else the tree's /memory, else the running machine's firmware map (its System
/// RAM, whole pages): a tree without /memory is what Linux's EFI stub hands the kernel, which
/// then takes RAM from the EFI memory map. `avoid` is the tree's reservations, plus
/// `in.firmware_reserved` when the firmware map is used. InputError "TREE: no RAM: ..." when
/// none of them has any.
DtBootRam dt_boot_ram(const DeviceTree& dt, const BootInputs& in, uint64_t page);

/// What a kernel given the device tree at `dtb_addr` reads from it: /chosen/bootargs, the initrd,
/// the IMA buffer and the /memory ranges. std::runtime_error when it cannot be read or is
/// malformed.
NextKernel read_next_kernel_from_fdt(const ReadMemory& read, uint64_t dtb_addr);

/// The start of every DT ISA's boot planner: the tree `in` must have (InputError "ISA needs a
/// device tree: use --dtb" without one), opened, after refuse_empty_inputs().
DeviceTree open_boot_tree(const BootInputs& in, std::string_view isa);

/// The end of every DT ISA's boot planner before it places the tree itself: the IMA buffer (when
/// `in.ima`), page-rounded, as high as it fits below `max_end`, added to `plan` as the `ima`
/// segment; then write_boot_chosen() with it, `in.cmdline` and the initrd at `initrd_addr`.
std::vector<uint8_t> place_ima_and_write_chosen(DeviceTree& dt, Layout& layout,
                                                const BootInputs& in,
                                                std::optional<uint64_t> initrd_addr, BootPlan& plan,
                                                uint64_t page_size,
                                                uint64_t max_end = ~uint64_t{0});

}  // namespace styx::host
