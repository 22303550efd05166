// SPDX-License-Identifier: GPL-2.0-only
// The s390x Linux image: format checks, the parameter area written big-endian into the kernel's
// own copy, initrd and IMA placement, and reading it all back as the next kernel would.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "arch-info.h"
#include "boot-plan-test-util.h"
#include "boot.h"
#include "error.h"

namespace {

using styx::ConsoleKind;
using styx::Role;
using styx::host::BootInputs;
using styx::host::BootPlan;
using styx::host::InputError;
using styx::host::MemRange;
using styx::host::NamedBlob;
using styx::host::NextKernel;
using styx::host::SegmentInput;

constexpr uint64_t kMiB = 1 << 20;

uint64_t get_be(const std::vector<uint8_t>& d, size_t at) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = v << 8 | d.at(at + i);
  return v;
}

void put_be(std::vector<uint8_t>& d, size_t at, uint64_t v) {
  for (size_t i = 0; i < 8; ++i) d[at + i] = static_cast<uint8_t>(v >> (56 - 8 * i));
}

// An image as arch/s390/boot/ lays it out; max_command_line_size 0 is a kernel before 5.3.
std::vector<uint8_t> s390_image(uint64_t max_cmdline = 4096, size_t size = 96 << 10) {
  std::vector<uint8_t> d(size, 0x5a);
  std::fill(d.begin() + 0x10000, d.begin() + 0x10480 + std::max<uint64_t>(max_cmdline, 896), 0);
  std::memcpy(&d[0x10008], "S390EP\0\1", 8);
  put_be(d, 0x10428, 0x182b0);  // kernel_version: the offset of the version string
  put_be(d, 0x10430, max_cmdline);
  std::memcpy(&d[0x10480], "root=/dev/ram0 ro", 17);
  return d;
}

const styx::host::ArchInfo* s390x() {
  return styx::host::find_arch("s390x");
}

BootInputs inputs(std::vector<uint8_t> kernel) {
  BootInputs in;
  in.kernel = {"vmlinuz", std::move(kernel)};
  in.ram = {{0, 256 * kMiB}};
  return in;
}

using styx::test::segment;

std::string refusal(const BootInputs& in) {
  return styx::test::refusal(*s390x(), in);
}

// The plan's segments as memory, the rest zero, for read_next_kernel.
NextKernel read_back(const BootPlan& p) {
  std::map<uint64_t, const std::vector<uint8_t>*> at;
  for (const SegmentInput& s : p.segments) at[s.addr] = &s.data;
  return s390x()->read_next_kernel(
      [&](uint64_t addr, uint64_t size) {
        if (addr + size > 256 * kMiB) throw std::runtime_error("beyond RAM");
        std::vector<uint8_t> out(size, 0);
        for (const auto& [base, data] : at)
          for (uint64_t i = 0; i < size; ++i)
            if (addr + i >= base && addr + i < base + data->size())
              out[i] = (*data)[addr + i - base];
        return out;
      },
      std::vector<uint64_t>{0x10400});
}

#define NEED_S390X() \
  if (!s390x()) GTEST_SKIP() << "s390x is not built"

TEST(S390xBoot, ArchInfoIsWired) {
  NEED_S390X();
  EXPECT_EQ(s390x()->elf_machine, 22);
  EXPECT_TRUE(s390x()->big_endian);
  EXPECT_EQ(s390x()->boot_registers, (std::vector<std::string_view>{"r2"}));
  EXPECT_EQ(s390x()->boot_data_role, Role::kKernel);
  EXPECT_EQ(s390x()->default_console.kind, static_cast<uint32_t>(ConsoleKind::kSclp));
}

TEST(S390xBoot, RefusesWhatIsNotAnImage) {
  NEED_S390X();
  EXPECT_NE(
      refusal(inputs(std::vector<uint8_t>(0x10000))).find("vmlinuz: 65536 bytes is too short"),
      std::string::npos);
  auto other = s390_image();
  std::memcpy(&other[0x10008], "S390XX", 6);
  EXPECT_NE(refusal(inputs(other)).find("vmlinuz: not an s390x Linux image"), std::string::npos);
  // The fields are there, the command line area (4096 bytes from 0x10480) is not.
  auto cut = s390_image();
  cut.resize(0x10480 + 4000);
  EXPECT_NE(refusal(inputs(cut)).find("vmlinuz: truncated"), std::string::npos);
  EXPECT_NE(refusal(inputs(cut)).find("0x11480"), std::string::npos);
}

TEST(S390xBoot, RefusesMissingRamDeviceTreesAndImaWithoutInitrd) {
  NEED_S390X();
  BootInputs no_ram = inputs(s390_image());
  no_ram.ram.clear();
  EXPECT_NE(refusal(no_ram).find("--mem"), std::string::npos);
  BootInputs dtb = inputs(s390_image());
  dtb.dtb = NamedBlob{"board.dtb", {1, 2, 3}};
  EXPECT_NE(refusal(dtb).find("board.dtb: s390x takes no device tree"), std::string::npos);
  BootInputs ima = inputs(s390_image());
  ima.ima = NamedBlob{"list", std::vector<uint8_t>(100, 1)};
  EXPECT_NE(refusal(ima).find("--ima-list needs --initrd"), std::string::npos);
  BootInputs not_at_zero = inputs(s390_image());
  not_at_zero.ram = {{0x8000, 256 * kMiB}};
  EXPECT_NE(
      refusal(not_at_zero)
          .find("lowcore and the image's IPL area (below 0x10000): 0x0+0x10000 not inside RAM"),
      std::string::npos);
}

TEST(S390xBoot, CommandLineLimitIsTheImagesOwn) {
  NEED_S390X();
  BootInputs in = inputs(s390_image(4096));
  in.cmdline = std::string(4095, 'x');
  EXPECT_EQ(refusal(in), "");
  in.cmdline += 'x';
  EXPECT_NE(refusal(in).find("command line: 4096 bytes, but vmlinuz takes at most 4095"),
            std::string::npos);
  // Kernels before 5.3 leave max_command_line_size 0 and have 896 bytes.
  BootInputs legacy = inputs(s390_image(0));
  legacy.cmdline = std::string(895, 'y');
  EXPECT_EQ(refusal(legacy), "");
  legacy.cmdline += 'y';
  EXPECT_NE(refusal(legacy).find("at most 895"), std::string::npos);
}

TEST(S390xBoot, ParameterAreaIsWrittenBigEndianIntoTheKernelsCopy) {
  NEED_S390X();
  auto image = s390_image();
  put_be(image, 0x10418, 0x7000000);  // a stale kdump oldmem_base/size
  put_be(image, 0x10420, 0x1000000);
  BootInputs in = inputs(image);
  in.cmdline = "console=ttysclp0 quiet";
  in.initrd = NamedBlob{"initrd", std::vector<uint8_t>(70001, 7)};
  const BootPlan p = s390x()->plan_boot(in);
  const SegmentInput& seg = segment(p, Role::kKernel);
  // Loaded from 0x10000 on: the lowcore and the IPL records below are written by the machine
  // and by kexec on the way, so they are no part of what is verified.
  EXPECT_EQ(seg.addr, 0x10000u);
  ASSERT_EQ(seg.data.size(), image.size() - 0x10000);
  std::vector<uint8_t> k(0x10000 + seg.data.size(), 0);  // the segment at its file offsets
  std::copy(seg.data.begin(), seg.data.end(), k.begin() + 0x10000);
  EXPECT_EQ(p.entry, 0x10000u);
  EXPECT_EQ(p.boot_args, (std::vector<std::pair<std::string, uint64_t>>{{"r2", 0x10400}}));
  EXPECT_EQ(get_be(k, 0x10408), 8 * kMiB);  // initrd_start
  EXPECT_EQ(k[0x10408 + 5], 0x80) << "big-endian";
  EXPECT_EQ(get_be(k, 0x10410), 70001u);  // initrd_size
  EXPECT_EQ(get_be(k, 0x10418), 0u);
  EXPECT_EQ(get_be(k, 0x10420), 0u);
  EXPECT_EQ(get_be(k, 0x10428), 0x182b0u) << "kernel_version is the image's";
  EXPECT_EQ(get_be(k, 0x10430), 4096u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(&k[0x10480])), in.cmdline);
  // The built-in line is gone, all of it, up to the area's end.
  for (size_t i = 0x10480 + in.cmdline.size(); i < 0x10480 + 4096; ++i)
    ASSERT_EQ(k[i], 0) << "at " << i;
  // Everything else is the file as it was.
  for (size_t i = 0x10000; i < image.size(); ++i) {
    if (i < 0x10408 || i >= 0x10480 + 4096) {
      ASSERT_EQ(k[i], image[i]) << "at " << i;
    }
  }
}

TEST(S390xBoot, InitrdGoesWhereKexecToolsPutsItAndImaRightAfter) {
  NEED_S390X();
  BootInputs in = inputs(s390_image());
  in.initrd = NamedBlob{"initrd", std::vector<uint8_t>(70001, 7)};
  in.ima = NamedBlob{"list", std::vector<uint8_t>(5000, 1)};
  BootPlan p = s390x()->plan_boot(in);
  EXPECT_EQ(segment(p, Role::kInitrd).addr, 8 * kMiB);
  EXPECT_EQ(segment(p, Role::kIma).addr, 8 * kMiB + 73728) << "the next page boundary";
  // A kernel larger than 8 MiB: the first MiB boundary after it.
  in.kernel.data = s390_image(4096, 9 * kMiB + 5);
  p = s390x()->plan_boot(in);
  EXPECT_EQ(segment(p, Role::kInitrd).addr, 10 * kMiB);
  // A hole in RAM at the origin: the lowest aligned fit above it.
  in.kernel.data = s390_image();
  in.ram = {{0, 4 * kMiB}, {12 * kMiB + 4096, 64 * kMiB}};
  p = s390x()->plan_boot(in);
  EXPECT_EQ(segment(p, Role::kInitrd).addr, 13 * kMiB);
}

TEST(S390xBoot, PurgatoryStaysBelowTwoGiB) {
  NEED_S390X();
  BootInputs in = inputs(s390_image());
  in.ram = {{0, 4096 * kMiB}};
  const BootPlan p = s390x()->plan_boot(in);
  ASSERT_EQ(p.reserved.size(), 1u);
  EXPECT_EQ(p.reserved[0].start, 2048 * kMiB);
  EXPECT_EQ(p.reserved[0].size, 2048 * kMiB);
  EXPECT_TRUE(s390x()->plan_boot(inputs(s390_image())).reserved.empty());
}

TEST(S390xBoot, NextKernelReadsTheParameterAreaBack) {
  NEED_S390X();
  BootInputs in = inputs(s390_image());
  in.cmdline = "root=/dev/vda";
  in.initrd = NamedBlob{"initrd", std::vector<uint8_t>(4096, 7)};
  std::vector<uint8_t> ima(48, 0);
  ima[1] = 1;    // version 1, big-endian
  ima[15] = 48;  // buffer_size
  in.ima = NamedBlob{"list", ima};
  const BootPlan p = s390x()->plan_boot(in);
  NextKernel next = read_back(p);
  EXPECT_EQ(next.cmdline, "root=/dev/vda");
  ASSERT_TRUE(next.initrd.has_value());
  EXPECT_EQ(*next.initrd, std::make_pair(8 * kMiB, uint64_t{4096}));
  ASSERT_TRUE(next.ima.has_value());
  EXPECT_EQ(*next.ima, std::make_pair(8 * kMiB + 4096, uint64_t{48}));
  EXPECT_TRUE(next.memory.empty()) << "the kernel finds RAM itself";

  // Without an initrd there is nothing more to find; the built-in line is replaced even by "".
  next = read_back(s390x()->plan_boot(inputs(s390_image())));
  EXPECT_EQ(next.cmdline, "");
  EXPECT_FALSE(next.initrd.has_value());
  EXPECT_FALSE(next.ima.has_value());

  // Not a Linux image at 0.
  EXPECT_THROW(s390x()->read_next_kernel(
                   [](uint64_t, uint64_t size) { return std::vector<uint8_t>(size, 0); }, {}),
               std::runtime_error);
}

}  // namespace
