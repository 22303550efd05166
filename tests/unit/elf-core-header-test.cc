// SPDX-License-Identifier: GPL-2.0-only
#include "elf-core-header.h"

#include <gtest/gtest.h>

#include "bytes.h"
#include "error.h"

namespace styx::host {
namespace {

CoreHeaderInput sample() {
  CoreHeaderInput in;
  in.system_ram = {{0x100000000, 0x40000000}, {0x1000, 0x9e000}, {0x100000, 0x7ff00000}};
  in.crash_region = {0x20000000, 0x10000000};
  in.cpu_notes = {{0x7fe00000, 0x198}, {0x7fe10000, 0x198}};
  in.vmcoreinfo = {0x3e000000, 0x1000};
  in.machine = 62;
  return in;
}

TEST(ElfCoreHeader, ParsesBackAsCoreWithNotesThenLoads) {
  const std::vector<uint8_t> h = build_elf_core_header(sample());
  ByteReader r(h, false, "core header");
  EXPECT_EQ(r.u32(0), 0x464c457fu);
  EXPECT_EQ(h[4], 2);  // ELFCLASS64
  EXPECT_EQ(h[5], 1);  // little endian
  EXPECT_EQ(r.u16(16), 4);
  EXPECT_EQ(r.u16(18), 62);
  EXPECT_EQ(r.u64(32), 64u);
  const uint16_t phnum = r.u16(56);
  // two CPUs + vmcoreinfo, then RAM below, around and above the crash region
  ASSERT_EQ(phnum, 3 + 4);
  ASSERT_EQ(h.size(), 64u + 56u * phnum);
  auto ph = [&](int i, size_t field) { return r.u64(64 + 56 * i + field); };
  auto type = [&](int i) { return r.u32(64 + 56 * i); };
  for (int i = 0; i < 3; ++i) EXPECT_EQ(type(i), 4u);
  EXPECT_EQ(ph(0, 24), 0x7fe00000u);
  EXPECT_EQ(ph(2, 24), 0x3e000000u);
  EXPECT_EQ(ph(2, 32), 0x1000u);
  const std::vector<MemRange> want = {{0x1000, 0x9e000},
                                      {0x100000, 0x1ff00000},
                                      {0x30000000, 0x50000000},
                                      {0x100000000, 0x40000000}};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(type(3 + i), 1u);
    EXPECT_EQ(ph(3 + i, 8), want[i].start) << i;   // p_offset
    EXPECT_EQ(ph(3 + i, 24), want[i].start) << i;  // p_paddr
    EXPECT_EQ(ph(3 + i, 32), want[i].size) << i;
    EXPECT_EQ(ph(3 + i, 40), want[i].size) << i;
  }
}

TEST(ElfCoreHeader, BigEndianForS390xStyleTargets) {
  CoreHeaderInput in = sample();
  in.big_endian = true;
  const std::vector<uint8_t> h = build_elf_core_header(in);
  EXPECT_EQ(h[5], 2);
  EXPECT_EQ(ByteReader(h, true, "core header").u16(56), 7);
}

TEST(ElfCoreHeader, RefusesMissingNotesNamingThem) {
  CoreHeaderInput in = sample();
  in.vmcoreinfo = {};
  EXPECT_THROW(
      {
        try {
          build_elf_core_header(in);
        } catch (const InputError& e) {
          EXPECT_NE(std::string(e.what()).find("vmcoreinfo"), std::string::npos);
          throw;
        }
      },
      InputError);
  in = sample();
  in.cpu_notes.clear();
  EXPECT_THROW(build_elf_core_header(in), InputError);
}

TEST(ElfCoreHeader, RangeWhollyInsideCrashRegionIsDropped) {
  const auto d =
      dumpable_ram({{0x1000, 0x1000}, {0x20000000, 0x10000000}}, {0x20000000, 0x10000000});
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].start, 0x1000u);
}

}  // namespace
}  // namespace styx::host
