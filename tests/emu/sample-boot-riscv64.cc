// SPDX-License-Identifier: GPL-2.0-only
#include "fixture.h"
#include "sample-boot.h"

namespace styx::test {

// A RISC-V Image header (text_offset 0, image_size 1 MiB) and 192 KiB of body, on a qemu
// virt-like machine: RAM at 0x80000000 (OpenSBI in its first 512 KiB), a 16550 at 0x10000000.
SampleBoot sample_boot_riscv64() {
  std::vector<uint8_t> f = pattern(192 << 10, 13);
  std::fill(f.begin(), f.begin() + 64, 0);
  put_le(f, 16, 1 << 20, 8);                // image_size
  put_le(f, 32, 2, 4);                      // header version 0.2
  put_le(f, 48, 0x0000005643534952ull, 8);  // "RISCV\0\0\0"
  put_le(f, 56, 0x05435352, 4);             // "RSC\x05"
  SampleBoot s;
  s.kernel = f;
  s.truncated_size = 40;
  s.dtb = virt_dtb(0x80000000, 0x40000000, 0x10000000, "ns16550a");
  s.small_mem = {"--mem", "0x80000000:0x100000"};
  s.memory = {{"0x80000000", "0x40000000"}};
  return s;
}

}  // namespace styx::test
