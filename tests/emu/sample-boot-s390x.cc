// SPDX-License-Identifier: GPL-2.0-only
#include <cstring>

#include "fixture.h"
#include "sample-boot.h"

namespace styx::test {
namespace {

void put_be(std::vector<uint8_t>& f, size_t at, uint64_t v, size_t width) {
  for (size_t i = 0; i < width; ++i) f[at + i] = static_cast<uint8_t>(v >> (8 * (width - 1 - i)));
}

}  // namespace

// An s390x Linux image as arch/s390/boot/ lays it out: the entry table "S390EP" at 0x10008 and
// a parameter area at 0x10400 whose command line holds up to 4096 bytes, 128 KiB in all, with
// a built-in command line that the boot must replace. The kernel finds RAM itself, so the next
// kernel is told nothing about memory.
SampleBoot sample_boot_s390x() {
  std::vector<uint8_t> f = pattern(128 << 10, 17);
  std::fill(f.begin() + 0x10000, f.begin() + 0x10480 + 4096, 0);
  std::memcpy(&f[0x10008], "S390EP\0\1", 8);
  put_be(f, 0x10430, 4096, 8);  // max_command_line_size
  std::memcpy(&f[0x10480], "root=/dev/ram0 ro", 17);
  SampleBoot s;
  s.kernel = f;
  s.truncated_size = 0x10440;
  s.mem_args = {"--mem", "0:64M"};
  s.small_mem = {"--mem", "0:8M"};  // the initrd goes at 8 MiB or above
  s.cmdline_limit = 4095;
  return s;
}

}  // namespace styx::test
