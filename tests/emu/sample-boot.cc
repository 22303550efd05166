// SPDX-License-Identifier: GPL-2.0-only
#include "sample-boot.h"

#include <libfdt.h>

#include <stdexcept>

namespace styx::test {

SampleBoot sample_boot(const std::string& arch) {
  if (arch == "x86_64") return sample_boot_x86_64();
  if (arch == "arm64") return sample_boot_arm64();
  if (arch == "riscv64") return sample_boot_riscv64();
  if (arch == "ppc64le") return sample_boot_ppc64le();
  if (arch == "s390x") return sample_boot_s390x();
  throw std::runtime_error("no sample boot for " + arch + ": add tests/emu/sample-boot-" + arch +
                           ".cc");
}

void put_le(std::vector<uint8_t>& f, size_t at, uint64_t v, size_t width) {
  for (size_t i = 0; i < width; ++i) f[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

std::vector<uint8_t> virt_dtb(uint64_t ram_base, uint64_t ram_size, uint64_t uart,
                              const char* compatible) {
  std::vector<uint8_t> b(4096);
  void* fdt = b.data();
  auto cells = [](uint64_t v) {
    return std::vector<uint32_t>{cpu_to_fdt32(static_cast<uint32_t>(v >> 32)),
                                 cpu_to_fdt32(static_cast<uint32_t>(v))};
  };
  auto reg = [&](uint64_t addr, uint64_t size) {
    std::vector<uint32_t> r = cells(addr);
    const auto s = cells(size);
    r.insert(r.end(), s.begin(), s.end());
    fdt_property(fdt, "reg", r.data(), static_cast<int>(r.size() * 4));
  };
  fdt_create(fdt, static_cast<int>(b.size()));
  fdt_finish_reservemap(fdt);
  fdt_begin_node(fdt, "");
  fdt_property_u32(fdt, "#address-cells", 2);
  fdt_property_u32(fdt, "#size-cells", 2);
  fdt_begin_node(fdt, "memory");
  fdt_property_string(fdt, "device_type", "memory");
  reg(ram_base, ram_size);
  fdt_end_node(fdt);
  fdt_begin_node(fdt, "uart");
  fdt_property_string(fdt, "compatible", compatible);
  reg(uart, 0x1000);
  fdt_end_node(fdt);
  fdt_begin_node(fdt, "chosen");
  fdt_property_string(fdt, "stdout-path", "/uart");
  fdt_end_node(fdt);
  fdt_end_node(fdt);
  fdt_finish(fdt);
  b.resize(fdt_totalsize(fdt));
  return b;
}

}  // namespace styx::test
