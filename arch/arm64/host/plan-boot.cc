// SPDX-License-Identifier: GPL-2.0-only
// The arm64 Linux boot protocol: the Image at a 2 MiB-aligned base + text_offset with image_size
// bytes free, x0 = the device tree, which carries the command line, the initrd and the IMA buffer
// in /chosen exactly as Linux's own kexec_file_load would write them.
#include <algorithm>
#include <optional>

#include "boot.h"
#include "device-tree.h"
#include "error.h"
#include "kernel-image.h"
#include "layout.h"
#include "parse.h"

namespace styx::host {
namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kGiB = 1ull << 30;
// booting.rst: the DTB must not exceed 2 MiB.
constexpr uint64_t kMaxDtbSize = 2ull << 20;
// Kernels before 4.2 want the DTB within 512 MiB of the kernel's 2 MiB base.
constexpr uint64_t kDtbWindow = 512ull << 20;
// booting.rst: the initrd must lie in a 1 GiB-aligned window of at most 32 GiB that also covers
// the kernel.
constexpr uint64_t kInitrdWindow = 32 * kGiB;

}  // namespace

BootPlan plan_arm64_boot(const BootInputs& in) {
  const Arm64Image image = parse_arm64_image(in.kernel.data, in.kernel.name);
  DeviceTree dt = open_boot_tree(in, "arm64");

  // What the old boot reserved for its own initrd and IMA buffer is free now.
  dt.remove_stale_kexec_state(kPage);
  // Booted through UEFI, the tree has no /memory: RAM, and the EFI memory map, ACPI tables and
  // runtime regions inside it to keep clear, come from the running kernel. The next kernel reads
  // the same EFI memory map again through the tree's linux,uefi-* properties, which stay.
  DtBootRam ram = dt_boot_ram(dt, in, kPage);
  const std::vector<MemRange> reservations = std::move(ram.avoid);

  BootPlan plan;
  plan.ram = std::move(ram.ram);
  plan.ram_source = std::move(ram.source);
  Layout layout(subtract_ranges(plan.ram, reservations));

  // Lowest fit: with flags bit 3 clear, memory below the base is lost to older kernels.
  const uint64_t base = layout.place("kernel", {.size = image.text_offset + image.image_size,
                                                .align = kArm64KernelAlign,
                                                .max_end = kArm64PhysLimit});
  const uint64_t load = base + image.text_offset;
  plan.entry = load;
  // The kernel's .bss and early page tables follow the file: the purgatory's log must survive
  // the handover, and kexec must keep its own pages out of them.
  plan.segments.push_back(
      {Role::kKernel, in.kernel.name, load, image.data,
       image.image_size > image.data.size() ? image.image_size - image.data.size() : 0});

  // Everything else goes high, leaving the kernel room to grow beyond image_size.
  std::optional<uint64_t> initrd_addr;
  if (in.initrd) {
    const uint64_t window = load / kGiB * kGiB;
    initrd_addr = layout.place("initrd", {.size = in.initrd->size(),
                                          .align = kPage,
                                          .min_addr = window,
                                          .max_end = window + kInitrdWindow,
                                          .high = true});
    plan.segments.push_back(
        {Role::kInitrd, in.initrd->name, *initrd_addr, in.initrd->data, 0, in.initrd->file});
  }
  // The tree's contents depend on the addresses above, its own address on nothing in it: write
  // it now and place it at its final size.
  std::vector<uint8_t> blob = place_ima_and_write_chosen(dt, layout, in, initrd_addr, plan, kPage);
  if (blob.size() > kMaxDtbSize)
    throw InputError(dt.name() + ": the device tree is " + hex(blob.size()) +
                     " bytes; arm64 takes at most 2 MiB");
  const Placement near_kernel{.size = blob.size(),
                              .align = kPage,
                              .min_addr = base,
                              .max_end = base + kDtbWindow,
                              .high = true};
  uint64_t dtb_addr;
  try {
    dtb_addr = layout.place("dtb", near_kernel);
  } catch (const InputError&) {
    // Only pre-4.2 kernels need the window; anywhere in RAM suits the rest.
    dtb_addr = layout.place("dtb", {.size = blob.size(), .align = kPage, .high = true});
  }
  plan.segments.push_back({Role::kDtb, dt.name(), dtb_addr, std::move(blob)});
  plan.boot_args = {{"x0", dtb_addr}};

  plan.console = in.console ? in.console : dt.stdout_console();
  plan.reserved = reservations;
  return plan;
}

}  // namespace styx::host
