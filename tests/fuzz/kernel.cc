// SPDX-License-Identifier: GPL-2.0-only
// A kernel file through its ISA's boot planner (STYX_FUZZ_ARCH: the bzImage, arm64 Image and
// Image.gz, RISC-V Image, ppc64le vmlinux and s390x image parsers, then the layout), with an
// initrd, a command line, 512 MiB of RAM and, for the device-tree ISAs, an empty tree. A plan it
// makes has every segment inside that RAM, none overlapping another.
#include <libfdt.h>

#include <algorithm>

#include "arch-info.h"
#include "boot.h"
#include "fuzz.h"

namespace {

std::vector<uint8_t> empty_tree() {
  std::vector<uint8_t> blob(4096);
  if (fdt_create_empty_tree(blob.data(), static_cast<int>(blob.size())) != 0) std::abort();
  return blob;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const styx::host::ArchInfo& arch = *styx::host::find_arch(STYX_FUZZ_ARCH);
  static const std::vector<uint8_t> tree = empty_tree();
  const styx::host::MemRange ram{arch.demo_ram_base, 512u << 20};
  styx::host::BootInputs in;
  in.kernel = {"kernel", std::vector<uint8_t>(data, data + size)};
  in.initrd = styx::host::NamedBlob{"initrd", std::vector<uint8_t>(4096, 0x5a)};
  in.cmdline = "console=ttyS0 root=/dev/ram0";
  in.dtb = styx::host::NamedBlob{"dtb", tree};
  in.ram = {ram};
  styx::fuzz::refusing([&] {
    const styx::host::BootPlan plan = arch.plan_boot(in);
    std::vector<styx::host::MemRange> used;
    for (const auto& segment : plan.segments) {
      const uint64_t end = segment.addr + segment.data.size() + segment.reserve;
      FUZZ_CHECK(end >= segment.addr);
      FUZZ_CHECK(std::any_of(plan.ram.begin(), plan.ram.end(), [&](const auto& r) {
        return segment.addr >= r.start && end <= r.end();
      }));
      for (const auto& u : used) FUZZ_CHECK(end <= u.start || segment.addr >= u.end());
      used.push_back({segment.addr, end - segment.addr});
    }
  });
  return 0;
}
