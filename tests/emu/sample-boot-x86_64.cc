// SPDX-License-Identifier: GPL-2.0-only
#include "fixture.h"
#include "sample-boot.h"

namespace styx::test {

// A relocatable 64-bit bzImage (boot protocol 2.15) with a 256 KiB protected-mode part.
SampleBoot sample_boot_x86_64() {
  constexpr size_t kSetup = 5 * 512, kPm = 256 << 10;
  std::vector<uint8_t> f = pattern(kSetup + kPm, 9);
  std::fill(f.begin(), f.begin() + kSetup, 0);
  put_le(f, 0x1f1, 4, 1);       // setup_sects
  put_le(f, 0x1fe, 0xaa55, 2);  // boot_flag
  put_le(f, 0x201, 0x26c - 0x202, 1);
  put_le(f, 0x202, 0x53726448, 4);  // "HdrS"
  put_le(f, 0x206, 0x020f, 2);      // protocol 2.15
  put_le(f, 0x211, 1, 1);           // LOADED_HIGH
  put_le(f, 0x22c, 0x7fffffff, 4);  // initrd_addr_max
  put_le(f, 0x230, 2 << 20, 4);     // kernel_alignment
  put_le(f, 0x234, 1, 1);           // relocatable
  put_le(f, 0x235, 21, 1);          // min_alignment
  put_le(f, 0x236, 0x3, 2);         // XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G
  put_le(f, 0x238, 2047, 4);        // cmdline_size
  put_le(f, 0x258, 16 << 20, 8);    // pref_address
  put_le(f, 0x260, 8 << 20, 4);     // init_size
  SampleBoot s;
  s.kernel = f;
  s.truncated_size = 0x300;
  s.mem_args = {"--mem", "0x0:0x9f000", "--mem", "0x100000:0xff00000"};
  s.small_mem = {"--mem", "0x100000:0x800000"};
  s.memory = {{"0x0", "0x9f000"}, {"0x100000", "0xff00000"}};
  s.cmdline_limit = 2047;
  return s;
}

}  // namespace styx::test
