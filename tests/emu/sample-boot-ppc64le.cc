// SPDX-License-Identifier: GPL-2.0-only
#include <libfdt.h>

#include "fixture.h"
#include "sample-boot.h"

namespace styx::test {
namespace {

// A pseries-like tree: 1 GiB of RAM at 0, one CPU, the hypervisor console as stdout.
std::vector<uint8_t> pseries_dtb() {
  std::vector<uint8_t> b(4096);
  void* fdt = b.data();
  const fdt64_t memory[2] = {cpu_to_fdt64(0), cpu_to_fdt64(0x40000000)};
  fdt_create(fdt, static_cast<int>(b.size()));
  fdt_finish_reservemap(fdt);
  fdt_begin_node(fdt, "");
  fdt_property_u32(fdt, "#address-cells", 2);
  fdt_property_u32(fdt, "#size-cells", 2);
  fdt_property_string(fdt, "device_type", "chrp");
  fdt_begin_node(fdt, "memory@0");
  fdt_property_string(fdt, "device_type", "memory");
  fdt_property(fdt, "reg", memory, sizeof(memory));
  fdt_end_node(fdt);
  fdt_begin_node(fdt, "cpus");
  fdt_property_u32(fdt, "#address-cells", 1);
  fdt_property_u32(fdt, "#size-cells", 0);
  fdt_begin_node(fdt, "PowerPC,POWER9@0");
  fdt_property_string(fdt, "device_type", "cpu");
  fdt_property_u32(fdt, "reg", 0);
  fdt_end_node(fdt);
  fdt_end_node(fdt);
  fdt_begin_node(fdt, "vdevice");
  fdt_property_u32(fdt, "#address-cells", 1);
  fdt_property_u32(fdt, "#size-cells", 0);
  fdt_begin_node(fdt, "vty@30000000");
  fdt_property_string(fdt, "compatible", "hvterm1");
  fdt_property_u32(fdt, "reg", 0x30000000);
  fdt_end_node(fdt);
  fdt_end_node(fdt);
  fdt_begin_node(fdt, "chosen");
  fdt_property_string(fdt, "stdout-path", "/vdevice/vty@30000000");
  fdt_end_node(fdt);
  fdt_end_node(fdt);
  fdt_finish(fdt);
  b.resize(fdt_totalsize(fdt));
  return b;
}

}  // namespace

// A vmlinux-shaped ELF: little-endian EM_PPC64, one PT_LOAD linked at 0xc000000000000000 with
// p_paddr 0 (192 KiB of file bytes, 1 MiB with .bss), entered at its first byte.
SampleBoot sample_boot_ppc64le() {
  constexpr size_t kBody = 0x1000;
  std::vector<uint8_t> f = pattern(kBody + (192 << 10), 17);
  std::fill(f.begin(), f.begin() + kBody, 0);
  const uint8_t ident[] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
  std::copy(std::begin(ident), std::end(ident), f.begin());
  put_le(f, 16, 2, 2);                      // ET_EXEC
  put_le(f, 18, 21, 2);                     // EM_PPC64
  put_le(f, 20, 1, 4);                      // EV_CURRENT
  put_le(f, 24, 0xc000000000000000ull, 8);  // e_entry
  put_le(f, 32, 64, 8);                     // e_phoff
  put_le(f, 48, 2, 4);                      // e_flags: ELFv2
  put_le(f, 52, 64, 2);                     // e_ehsize
  put_le(f, 54, 56, 2);                     // e_phentsize
  put_le(f, 56, 1, 2);                      // e_phnum
  put_le(f, 64, 1, 4);                      // PT_LOAD
  put_le(f, 68, 7, 4);                      // RWX
  put_le(f, 72, kBody, 8);                  // p_offset
  put_le(f, 80, 0xc000000000000000ull, 8);  // p_vaddr
  put_le(f, 88, 0, 8);                      // p_paddr
  put_le(f, 96, 192 << 10, 8);              // p_filesz
  put_le(f, 104, 1 << 20, 8);               // p_memsz
  put_le(f, 112, 0x10000, 8);               // p_align
  SampleBoot s;
  s.kernel = f;
  s.truncated_size = kBody + 1000;
  s.dtb = pseries_dtb();
  s.small_mem = {"--mem", "0x0:0x100000"};
  s.memory = {{"0x0", "0x40000000"}};
  return s;
}

}  // namespace styx::test
