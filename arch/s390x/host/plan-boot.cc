// SPDX-License-Identifier: GPL-2.0-only
// The s390x Linux image (arch/s390/boot/ "image", Debian's /boot/vmlinuz-*): one binary loaded at
// 0, entered at 0x10000, its boot data in the parameter area at 0x10400 inside the image itself.
//
// What goes where, and why:
// - The image is linked at 0, but only its part from 0x10000 is loaded (as kexec-tools does):
//   below that are the IPL PSW and channel programs, needed only when a machine IPLs the image,
//   and the lowcore, which the machine and kexec write on the way (kexec's last step stores the
//   PSW that enters the purgatory at absolute 0, qemu's IPL its parameters at 0xcc). A digest
//   over those bytes could never match. The first 64 KiB must still be RAM, kept free.
// - The kernel finds RAM itself (SCLP), so --mem only says where Styx may place things; it is
//   required because nothing else tells.
// - The command line into the parameter area: cleared over max_command_line_size bytes (896 in
//   kernels that leave that field 0), then copied, so the image's built-in line is replaced.
//   oldmem_base/size are zeroed: this is a normal boot, not a kdump.
// - The initrd at the lowest 1 MiB-aligned free address from max(8 MiB, end of the image) up,
//   which is where kexec-tools puts it when that is free. The decompressor moves it out of its
//   own way (rescue_initrd), so a big kernel does not need room reserved here.
// - Linux on s390x has no IMA hand-over: the `ima` segment is carried and verified, and sits at
//   the first page boundary after the initrd, the one place a reader can find it from the
//   parameter area alone. Hence --ima-list needs --initrd on s390x.
// - The purgatory below 2 GiB: kexec enters it in 31-bit addressing mode, and the SCLP console's
//   control block must be below 2 GiB.
// - r2 = the parameter area's address, a Styx convention: kexec passes nothing in registers
//   and Linux reads 0x10400 whatever r2 holds.
#include <algorithm>
#include <cstring>
#include <optional>
#include <string>

#include "boot.h"
#include "bytes.h"
#include "error.h"
#include "layout.h"
#include "parmarea.h"
#include "parse.h"

namespace styx::host {
namespace {

using namespace s390x;

constexpr uint64_t kPage = 4096;
constexpr uint64_t kMiB = 1 << 20;
constexpr uint64_t kInitrdOrigin = 8 * kMiB;  // kexec-tools' RAMDISK_ORIGIN_ADDR
constexpr uint64_t k2GiB = uint64_t{1} << 31;

uint64_t be(std::span<const uint8_t> d, uint64_t at, size_t width) {
  return get_uint(d, at, width, true);
}

}  // namespace

BootPlan plan_s390x_boot(const BootInputs& in) {
  const std::string& name = in.kernel.name;
  std::vector<uint8_t> k = in.kernel.data;
  if (k.size() < kParmArea + kFieldsSize)
    throw InputError(name + ": " + std::to_string(k.size()) +
                     " bytes is too short for an s390x Linux image (its parameter area ends at " +
                     hex(kParmArea + kFieldsSize) + ")");
  if (std::memcmp(&k[kEntryTable], "S390EP", 6) != 0)
    throw InputError(name + ": not an s390x Linux image (no \"S390EP\" entry table at " +
                     hex(kEntryTable) + ")");
  uint64_t capacity = be(k, kMaxCommandLineSize, 8);
  if (capacity == 0) capacity = kLegacyCommandLineSize;
  if (k.size() < kCommandLine + capacity)
    throw InputError(name + ": truncated: " + std::to_string(k.size()) +
                     " bytes, but its command line area ends at " + hex(kCommandLine + capacity));
  if (in.cmdline.size() >= capacity)
    throw InputError("command line: " + std::to_string(in.cmdline.size()) + " bytes, but " + name +
                     " takes at most " + std::to_string(capacity - 1));
  if (in.dtb) throw InputError(in.dtb->name + ": s390x takes no device tree");
  if (in.ram.empty())
    throw InputError(
        "s390x needs --mem: the kernel finds RAM itself, Styx must be told where it may place "
        "the initrd and the purgatory");
  refuse_empty_inputs(in);
  if (in.ima && !in.initrd)
    throw InputError(in.ima->name +
                     ": s390x carries the IMA list right after the initrd: --ima-list needs "
                     "--initrd");

  BootPlan plan;
  plan.ram = in.ram;
  Layout layout(plan.ram);
  layout.reserve(0, kEntry, "lowcore and the image's IPL area (below " + hex(kEntry) + ")");
  layout.reserve(kEntry, k.size() - kEntry, "kernel (" + name + ")");

  std::fill(k.begin() + kCommandLine, k.begin() + kCommandLine + capacity, 0);
  std::copy(in.cmdline.begin(), in.cmdline.end(), k.begin() + kCommandLine);
  put_uint(k, kOldmemBase, 0, 8, true);
  put_uint(k, kOldmemSize, 0, 8, true);

  uint64_t initrd_addr = 0;
  std::optional<uint64_t> ima_addr;
  if (in.initrd) {
    const uint64_t size = in.initrd->size();
    initrd_addr = layout.place(
        "initrd", {.size = size, .align = kMiB, .min_addr = std::max(kInitrdOrigin, k.size())});
    if (in.ima) {
      ima_addr = align_up(initrd_addr + size, kPage);
      layout.reserve(*ima_addr, align_up(in.ima->data.size(), kPage), "IMA buffer");
    }
  }
  put_uint(k, kInitrdStart, initrd_addr, 8, true);
  put_uint(k, kInitrdSize, in.initrd ? in.initrd->size() : 0, 8, true);
  k.erase(k.begin(), k.begin() + kEntry);
  plan.segments.push_back({Role::kKernel, name, kEntry, std::move(k)});
  if (in.initrd)
    plan.segments.push_back(
        {Role::kInitrd, in.initrd->name, initrd_addr, in.initrd->data, 0, in.initrd->file});
  if (ima_addr) plan.segments.push_back({Role::kIma, in.ima->name, *ima_addr, in.ima->data});

  plan.entry = kEntry;
  plan.boot_args = {{"r2", kParmArea}};
  plan.console = in.console;
  for (const MemRange& r : plan.ram)
    if (r.end() > k2GiB) {
      const uint64_t start = std::max(r.start, k2GiB);
      plan.reserved.push_back({start, r.end() - start});
    }
  return plan;
}

}  // namespace styx::host
