// SPDX-License-Identifier: GPL-2.0-only
#include "fixture.h"
#include "sample-boot.h"

namespace styx::test {

// An arm64 Image header (text_offset 0, image_size 1 MiB) and 192 KiB of body.
SampleBoot sample_boot_arm64() {
  std::vector<uint8_t> f = pattern(192 << 10, 11);
  std::fill(f.begin(), f.begin() + 64, 0);
  put_le(f, 16, 1 << 20, 8);     // image_size
  put_le(f, 24, 0xa, 8);         // flags: little-endian, 4K pages
  put_le(f, 56, 0x644d5241, 4);  // "ARM\x64"
  SampleBoot s;
  s.kernel = f;
  s.truncated_size = 40;
  s.dtb = virt_dtb(0x40000000, 0x40000000, 0x09000000, "arm,pl011");
  s.small_mem = {"--mem", "0x40000000:0x100000"};
  s.memory = {{"0x40000000", "0x40000000"}};
  return s;
}

}  // namespace styx::test
