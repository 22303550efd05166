// SPDX-License-Identifier: GPL-2.0-only
// The RISC-V Linux boot protocol (Documentation/arch/riscv/boot.rst, boot-image-header.rst): the
// Image at a 2 MiB-aligned base + text_offset with image_size bytes free, a0 = the boot hart's
// id, a1 = the device tree, which carries the command line, the initrd and the IMA buffer in
// /chosen as on arm64. The SBI firmware's own memory must stay reserved in the tree.
#include <algorithm>
#include <optional>

#include "boot.h"
#include "bytes.h"
#include "device-tree.h"
#include "error.h"
#include "layout.h"
#include "parse.h"

namespace styx::host {
namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kHeaderSize = 64;
// PMD_SIZE on rv64: the kernel maps itself with 2 MiB pages from a 2 MiB-aligned base.
constexpr uint64_t kKernelAlign = 2ull << 20;
constexpr uint64_t kMagic = 0x0000005643534952;  // "RISCV\0\0\0"
constexpr uint32_t kMagic2 = 0x05435352;         // "RSC\x05"
// OpenSBI (fw_dynamic/fw_jump) sits at the start of RAM on qemu virt and most boards. It adds a
// /reserved-memory node when it hands over a tree, but a tree taken from `dumpdtb` or built by
// hand lacks it, and a kernel that used that memory would be killed by PMP faults.
constexpr MemRange kSbiFirmware{0x80000000, 512 << 10};

uint64_t le(std::span<const uint8_t> d, size_t at, size_t width) {
  return get_uint(d, at, width, false);
}

bool covered(const MemRange& r, const std::vector<MemRange>& by) {
  // Remove every reservation from r: covered when nothing is left.
  return subtract_ranges({r}, by).empty();
}

bool overlaps(const MemRange& r, const std::vector<MemRange>& ranges) {
  return std::any_of(ranges.begin(), ranges.end(),
                     [&](const MemRange& o) { return r.start < o.end() && o.start < r.end(); });
}

}  // namespace

BootPlan plan_riscv64_boot(const BootInputs& in) {
  const std::string& name = in.kernel.name;
  const std::span<const uint8_t> k = in.kernel.data;
  if (k.size() < kHeaderSize)
    throw InputError(name + ": " + std::to_string(k.size()) +
                     " bytes is too short for a RISC-V Image header");
  if (le(k, 0x30, 8) != kMagic || le(k, 0x38, 4) != kMagic2)
    throw InputError(name + ": not a RISC-V Image (no \"RISCV\" and \"RSC\\x05\" magic)");
  const uint64_t text_offset = le(k, 8, 8);
  const uint64_t image_size = std::max<uint64_t>(le(k, 16, 8), k.size());
  if (text_offset % kPage != 0)
    throw InputError(name + ": text_offset " + hex(text_offset) + " is not page aligned");
  if (image_size > UINT64_MAX - text_offset)
    throw InputError(name + ": image_size " + hex(image_size) + " past text_offset " +
                     hex(text_offset) + " does not fit in 64 bits");
  DeviceTree dt = open_boot_tree(in, "riscv64");

  dt.remove_stale_kexec_state(kPage);
  // Booted through UEFI, the EFI stub leaves the tree without /memory, as on arm64: RAM and what
  // to keep clear in it come from the running kernel's firmware map.
  DtBootRam ram = dt_boot_ram(dt, in, kPage);
  BootPlan plan;
  plan.ram = std::move(ram.ram);
  plan.ram_source = std::move(ram.source);
  std::vector<MemRange> reservations = std::move(ram.avoid);
  // The kernel sees the tree's RAM, not --mem: reserve by what the tree says it may use.
  if ((overlaps(kSbiFirmware, dt.memory()) || overlaps(kSbiFirmware, plan.ram)) &&
      !covered(kSbiFirmware, reservations)) {
    dt.add_memreserve(kSbiFirmware.start, kSbiFirmware.size);
    reservations.push_back(kSbiFirmware);
  }
  Layout layout(subtract_ranges(plan.ram, reservations));

  // Lowest fit: kernels before 6.x cannot use memory below their own base.
  const uint64_t base =
      layout.place("kernel", {.size = text_offset + image_size, .align = kKernelAlign});
  const uint64_t load = base + text_offset;
  plan.entry = load;
  plan.segments.push_back({Role::kKernel, name, load, std::vector<uint8_t>(k.begin(), k.end()),
                           image_size > k.size() ? image_size - k.size() : 0});

  std::optional<uint64_t> initrd_addr;
  if (in.initrd) {
    initrd_addr = layout.place("initrd", {.size = in.initrd->size(), .align = kPage, .high = true});
    plan.segments.push_back(
        {Role::kInitrd, in.initrd->name, *initrd_addr, in.initrd->data, 0, in.initrd->file});
  }
  std::vector<uint8_t> blob = place_ima_and_write_chosen(dt, layout, in, initrd_addr, plan, kPage);
  // boot.rst: the DTB must be 8-byte aligned; a page keeps it clear of the kernel's mappings.
  const uint64_t dtb_addr =
      layout.place("dtb", {.size = blob.size(), .align = kPage, .high = true});
  plan.segments.push_back({Role::kDtb, dt.name(), dtb_addr, std::move(blob)});
  // Hart 0 boots: kexec runs the purgatory on the hart that called it, and Styx has no way to
  // learn its id, so the image states the one qemu virt and most boards boot on.
  plan.boot_args = {{"a0", 0}, {"a1", dtb_addr}};

  plan.console = in.console ? in.console : dt.stdout_console();
  plan.reserved = reservations;
  plan.timer_hz = dt.timebase_frequency();
  return plan;
}

}  // namespace styx::host
