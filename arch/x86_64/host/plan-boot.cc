// SPDX-License-Identifier: GPL-2.0-only
// Laying out a bzImage boot through the 64-bit entry point: kernel, initrd, boot_params with the
// command line, and the SETUP_IMA node.
//
// Where things go, and why:
// - Nothing below 1 MiB. The kernel takes its real-mode trampoline from low memory and reserves
//   the whole first megabyte early, so data placed there could be overwritten or hidden; the e820
//   map still reports whatever RAM below 1 MiB the user gave, because the kernel needs it.
// - The kernel at pref_address when that is free, otherwise at the lowest kernel_alignment-aligned
//   address above it. A relocatable kernel below pref_address would not run there: its
//   decompressor moves it up to pref_address (LOAD_PHYSICAL_ADDR) first and then needs init_size
//   bytes from there, which a loader that placed it lower never reserved. Lowest-first keeps the
//   kernel close to where it was linked to run and leaves the top of RAM to the rest. init_size
//   bytes are reserved from the load address although the segment holds only the file part: the
//   decompressor copies itself to the end of that window and unpacks into it. If no aligned fit
//   exists, each lower power of two down to min_alignment is tried, as boot.rst suggests.
// - initrd, boot_params (+ command line) and the IMA node as high as they fit, page aligned: out
//   of the kernel's way as it grows from the bottom. Below 4 GiB unless the kernel sets
//   XLF_CAN_BE_LOADED_ABOVE_4G, and boot_params always: it is read first, by the oldest and most
//   fragile code, and gains nothing from being higher. The initrd stays below initrd_addr_max
//   unless that flag is set.
#include <algorithm>
#include <optional>
#include <string>

#include "arch-info.h"
#include "boot-params.h"
#include "boot.h"
#include "bzimage.h"
#include "error.h"
#include "layout.h"
#include "parse.h"

namespace styx::host {
namespace {

using namespace x86;

constexpr uint64_t kLowMemoryEnd = 1 << 20;
constexpr uint64_t k4GiB = uint64_t{1} << 32;
constexpr uint64_t kPage = 4096;
/// initrd_addr_max as protocols before 2.03 implied it.
constexpr uint32_t kOldInitrdAddrMax = 0x37ffffff;

struct KernelPlacement {
  uint64_t addr = 0;
  uint32_t alignment = 0;  ///< what it was placed with (0: not relocatable)
};

KernelPlacement place_kernel(Layout& layout, const BzImage& k, uint64_t limit) {
  const SetupHeader& h = k.header;
  const uint64_t size = std::max<uint64_t>(h.init_size, k.protected_mode.size());
  if (!h.relocatable) {
    const uint64_t at = h.pref_address ? h.pref_address : kDefaultLoadAddress;
    if (!layout.is_free(at, size) || at + size > limit)
      throw InputError("kernel: not relocatable, so it needs " + hex(size) +
                       " bytes (init_size) of free RAM at " + hex(at) +
                       (at + size > limit ? ", below 4 GiB" : "") + ", and there are not");
    layout.reserve(at, size, "kernel");
    return {at, 0};
  }
  const uint64_t lowest = std::max(h.pref_address, kLowMemoryEnd);
  uint64_t min_align = h.kernel_alignment;
  if (h.min_alignment && h.min_alignment < 32)
    min_align = std::min<uint64_t>(min_align, uint64_t{1} << h.min_alignment);
  std::optional<InputError> failure;
  for (uint64_t align = h.kernel_alignment; align >= min_align && align; align /= 2) {
    try {
      const uint64_t at = layout.place(
          "kernel", {.size = size, .align = align, .min_addr = lowest, .max_end = limit});
      return {at, static_cast<uint32_t>(align)};
    } catch (const InputError& e) {
      failure = e;  // the last, least demanding attempt says best how far off it is
    }
  }
  throw *failure;
}

}  // namespace

BootPlan plan_x86_64_boot(const BootInputs& in) {
  const BzImage kernel = parse_bzimage(in.kernel.data, in.kernel.name);
  const SetupHeader& h = kernel.header;
  if (in.ram.empty()) throw InputError("no RAM given: use --mem");
  if (in.dtb)
    throw InputError(in.dtb->name + ": x86_64 describes the machine in boot_params, not a DTB");
  if (in.cmdline.find('\0') != std::string::npos)
    throw InputError("command line: contains a NUL byte");
  if (in.cmdline.size() > h.cmdline_size)
    throw InputError("command line: " + std::to_string(in.cmdline.size()) + " bytes, but " +
                     in.kernel.name + " accepts at most " + std::to_string(h.cmdline_size) +
                     " (cmdline_size)");
  if (in.initrd && in.initrd->empty()) throw InputError(in.initrd->name + ": empty");
  if (in.ima && in.ima->data.empty()) throw InputError(in.ima->name + ": empty");
  const std::vector<E820Entry> e820 =
      in.firmware_map.empty() ? e820_from_ram(in.ram) : e820_from_firmware_map(in.firmware_map);

  const bool above_4g = h.xloadflags & kXlfCanBeLoadedAbove4G;
  const uint64_t limit = above_4g ? ~uint64_t{0} : k4GiB;
  Layout layout(in.ram);
  BootPlan plan;

  const KernelPlacement kp = place_kernel(layout, kernel, limit);
  const uint64_t file_size = kernel.protected_mode.size();
  plan.segments.push_back({Role::kKernel,
                           in.kernel.name,
                           kp.addr,
                           {kernel.protected_mode.begin(), kernel.protected_mode.end()},
                           h.init_size > file_size ? h.init_size - file_size : 0});

  std::optional<MemRange> initrd;
  if (in.initrd) {
    const uint64_t addr_max = h.initrd_addr_max ? h.initrd_addr_max : kOldInitrdAddrMax;
    const uint64_t max_end = above_4g ? limit : std::min<uint64_t>(addr_max + 1, k4GiB);
    initrd = MemRange{layout.place("initrd", {.size = in.initrd->size(),
                                              .align = kPage,
                                              .min_addr = kLowMemoryEnd,
                                              .max_end = max_end,
                                              .high = true}),
                      in.initrd->size()};
    plan.segments.push_back(
        {Role::kInitrd, in.initrd->name, initrd->start, in.initrd->data, 0, in.initrd->file});
  }

  // The command line shares boot_params' segment: one page-aligned block, one digest.
  const uint64_t bp_size = kBootParamsSize + in.cmdline.size() + 1;
  const uint64_t bp_addr = layout.place(
      "boot_params",
      {.size = bp_size, .align = kPage, .min_addr = kLowMemoryEnd, .max_end = k4GiB, .high = true});

  std::vector<SetupDataNode> nodes;
  if (in.ima) {
    const uint64_t node_size = kSetupDataHeaderSize + kImaSetupDataSize + in.ima->data.size();
    const uint64_t at = layout.place("IMA buffer", {.size = node_size,
                                                    .align = kPage,
                                                    .min_addr = kLowMemoryEnd,
                                                    .max_end = limit,
                                                    .high = true});
    nodes.push_back(ima_setup_data(at, in.ima->data.size()));
  }

  const std::vector<uint8_t> params =
      build_boot_params(kernel, {.kernel_addr = kp.addr,
                                 .kernel_alignment = kp.alignment,
                                 .cmdline_addr = bp_addr + kBootParamsSize,
                                 .initrd = initrd,
                                 .e820 = e820,
                                 .setup_data = nodes.empty() ? 0 : nodes.front().addr});
  SegmentInput bp_segment{Role::kBootParams, "boot_params", bp_addr, params};
  bp_segment.data.insert(bp_segment.data.end(), in.cmdline.begin(), in.cmdline.end());
  bp_segment.data.push_back(0);
  plan.segments.push_back(std::move(bp_segment));

  for (size_t i = 0; i < nodes.size(); ++i) {
    const uint64_t next = i + 1 < nodes.size() ? nodes[i + 1].addr : 0;
    plan.segments.push_back(
        {Role::kData, "SETUP_IMA node", nodes[i].addr, encode_setup_data(nodes[i], next)});
    // The purgatory checks an IMA buffer's header at the start of its segment, so the buffer is
    // a segment of its own, directly after the node's 32 bytes: one node for the kernel.
    if (nodes[i].type == kSetupIma)
      plan.segments.push_back({Role::kIma, in.ima->name,
                               nodes[i].addr + kSetupDataHeaderSize + kImaSetupDataSize,
                               in.ima->data});
  }

  plan.entry = kp.addr + kEntry64Offset;
  plan.boot_args = {{"rsi", bp_addr}};
  plan.ram = in.ram;
  plan.console = in.console;
  return plan;
}

}  // namespace styx::host
