// SPDX-License-Identifier: GPL-2.0-only
// Images as kexec_load(2) takes them, and what styx says when the kernel refuses one.
#include "kexec.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <string>
#include <vector>

#include "error.h"
#include "kexec-errors.h"

namespace {

using styx::Role;
using styx::host::Image;
using styx::host::ImageSegment;
using styx::host::InputError;
using styx::host::KexecPlan;
using styx::host::plan_kexec;

std::vector<uint8_t> bytes(size_t size, uint8_t value) {
  return std::vector<uint8_t>(size, value);
}

Image sample_image() {
  Image image;
  image.segments = {
      {Role::kKernel, 0x1000000, bytes(0x2345, 0x11)},
      {Role::kBootParams, 0x3000000, bytes(0x1001, 0x22)},
      // A setup_data node and the IMA buffer right behind it share one page.
      {Role::kData, 0x3002000, bytes(32, 0x33)},
      {Role::kIma, 0x3002020, bytes(0x1800, 0x44)},
      {Role::kData, 0x5000000, {}},  // empty: nothing to load
  };
  image.purgatory_addr = 0x3ff0000;
  image.purgatory = bytes(0x3000, 0x55);
  image.purgatory_memsz = 0x5800;
  image.purgatory_entry = 0x3ff0040;
  return image;
}

TEST(KexecPlan, WidensToPagesAndJoinsPiecesThatSharePages) {
  const KexecPlan plan = plan_kexec(sample_image(), 0x1000);
  ASSERT_EQ(plan.segments.size(), 4u);
  EXPECT_EQ(plan.entry, 0x3ff0040u);

  EXPECT_EQ(plan.segments[0].mem, 0x1000000u);
  EXPECT_EQ(plan.segments[0].memsz, 0x3000u);
  EXPECT_EQ(plan.segments[0].buf.size(), 0x2345u);
  EXPECT_EQ(plan.segments[0].contents, "kernel");

  EXPECT_EQ(plan.segments[1].mem, 0x3000000u);
  EXPECT_EQ(plan.segments[1].memsz, 0x2000u);

  const auto& shared = plan.segments[2];
  EXPECT_EQ(shared.mem, 0x3002000u);
  EXPECT_EQ(shared.memsz, 0x2000u);
  EXPECT_EQ(shared.contents, "data + ima");
  ASSERT_EQ(shared.buf.size(), 0x20u + 0x1800u);
  EXPECT_EQ(shared.buf[0x1f], 0x33);
  EXPECT_EQ(shared.buf[0x20], 0x44);
  EXPECT_EQ(shared.buf.back(), 0x44);

  // The purgatory's .bss, stack and log are memory beyond its bytes, zeroed by the kernel.
  EXPECT_EQ(plan.segments[3].mem, 0x3ff0000u);
  EXPECT_EQ(plan.segments[3].memsz, 0x6000u);
  EXPECT_EQ(plan.segments[3].buf.size(), 0x3000u);
  EXPECT_EQ(plan.segments[3].contents, "purgatory");
}

// A kernel's reserve (x86 init_size, arm64 image_size) is part of its kexec segment: the running
// kernel keeps its own pages (page tables, the copy list) out of a segment's memsz, and a
// decompressor that overwrote them would die before its first word.
TEST(KexecPlan, KernelSegmentCoversItsReserve) {
  Image image = sample_image();
  image.segments[0].reserve = 0x800000;
  const KexecPlan plan = plan_kexec(image, 0x1000);
  EXPECT_EQ(plan.segments[0].mem, 0x1000000u);
  EXPECT_EQ(plan.segments[0].memsz, 0x803000u);
  EXPECT_EQ(plan.segments[0].buf.size(), 0x2345u);
}

TEST(KexecPlan, UnalignedPieceKeepsItsOffsetInsideThePage) {
  Image image = sample_image();
  image.segments = {{Role::kDtb, 0x4000123, bytes(0x10, 0x66)}};
  const KexecPlan plan = plan_kexec(image, 0x1000);
  ASSERT_EQ(plan.segments.size(), 2u);
  EXPECT_EQ(plan.segments[0].contents, "purgatory");  // sorted by address
  const auto& dtb = plan.segments[1];
  EXPECT_EQ(dtb.mem, 0x4000000u);
  EXPECT_EQ(dtb.memsz, 0x1000u);
  ASSERT_EQ(dtb.buf.size(), 0x133u);
  EXPECT_EQ(dtb.buf[0x122], 0);
  EXPECT_EQ(dtb.buf[0x123], 0x66);
}

TEST(KexecPlan, LargerPagesJoinMore) {
  const KexecPlan plan = plan_kexec(sample_image(), 0x10000);
  ASSERT_EQ(plan.segments.size(), 3u);  // boot_params and the IMA page now share a 64 KiB page
  EXPECT_EQ(plan.segments[1].contents, "bootparams + data + ima");
  EXPECT_EQ(plan.segments[1].memsz, 0x10000u);
  for (const auto& s : plan.segments) {
    EXPECT_EQ(s.mem % 0x10000, 0u);
    EXPECT_EQ(s.memsz % 0x10000, 0u);
    EXPECT_LE(s.buf.size(), s.memsz);
  }
}

TEST(KexecPlan, RefusesMoreSegmentsThanTheKernelTakes) {
  Image image = sample_image();
  image.segments.clear();
  for (uint64_t i = 0; i < 16; ++i)
    image.segments.push_back({Role::kData, i * 0x100000, bytes(1, 1)});
  try {
    plan_kexec(image, 0x1000);
    FAIL() << "17 segments accepted";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "the image needs 17 kexec segments, the kernel takes at most 16");
  }
  EXPECT_THROW(plan_kexec(sample_image(), 0x1800), InputError);
}

TEST(KexecPlan, RefusesOverlappingPiecesInsteadOfMergingThem) {
  Image image = sample_image();
  image.segments[3].addr = 0x3002010;  // inside the 32-byte data segment before it
  try {
    plan_kexec(image, 0x1000);
    FAIL() << "overlap merged";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "ima at 0x3002010+0x1800 overlaps data at 0x3002000+0x20");
  }
  image = sample_image();
  image.purgatory_addr = 0x1001000;  // inside the kernel
  EXPECT_THROW(plan_kexec(image, 0x1000), InputError);
}

TEST(KexecPlan, RefusesPiecesThatReachPastTheAddressSpace) {
  for (const auto& [addr, size] : std::vector<std::pair<uint64_t, size_t>>{
           {0xfffffffffffff000, 0x2000}, {0xfffffffffffff800, 0x100}}) {
    Image image = sample_image();
    image.segments[0].addr = addr;
    image.segments[0].data = bytes(size, 1);
    try {
      plan_kexec(image, 0x1000);
      FAIL() << "planned " << addr;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("reaches past the end of the address space"),
                std::string::npos)
          << e.what();
    }
  }
}

TEST(KexecErrors, RamCheckDoesNotWrap) {
  const std::vector<styx::host::MemRange> ram{{0x100000, 0x40000000}};
  KexecPlan plan;
  plan.segments = {{{}, 0xfffffffffffff000, 0x2000, "kernel"}};
  EXPECT_EQ(styx::host::segment_outside_ram(plan, ram),
            "segment 0 (kernel) at 0xfffffffffffff000+0x2000");
  plan.segments = {{{}, 0x100000, 0xffffffffffff0000, "initrd"}};  // 16 EiB
  EXPECT_EQ(styx::host::segment_outside_ram(plan, ram),
            "segment 0 (initrd) at 0x100000+0xffffffffffff0000");
  plan.segments = {{{}, 0x100000, 0x40000000, "initrd"}};
  EXPECT_EQ(styx::host::segment_outside_ram(plan, ram), "");
}

TEST(KexecPlan, DryRunTableListsEverySegmentAndTheEntry) {
  const std::string table = format_kexec_plan(plan_kexec(sample_image(), 0x1000));
  EXPECT_NE(table.find("  0        0x2345           0x1000000        0x3000  kernel\n"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("  2        0x1820           0x3002000        0x2000  data + ima\n"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("entry 0x3ff0040\n"), std::string::npos) << table;
}

TEST(KexecErrors, SayWhatToDo) {
  const KexecPlan plan = plan_kexec(sample_image(), 0x1000);
  styx::host::KexecFacts facts;
  facts.ram = {{0, 0x4000000}};

  facts.root = false;
  EXPECT_NE(explain_kexec_load_error(EPERM, plan, facts).find("run styx as root"),
            std::string::npos);
  facts.root = true;
  facts.load_disabled = true;
  EXPECT_NE(explain_kexec_load_error(EPERM, plan, facts).find("kexec_load_disabled = 1"),
            std::string::npos);
  facts.load_disabled = false;
  facts.lockdown = "none [integrity] confidentiality";
  EXPECT_NE(explain_kexec_load_error(EPERM, plan, facts).find("lockdown"), std::string::npos);
  facts.lockdown = "[none] integrity confidentiality";
  EXPECT_NE(explain_kexec_load_error(EPERM, plan, facts).find("CAP_SYS_BOOT"), std::string::npos);
  EXPECT_NE(explain_kexec_load_error(ENOSYS, plan, facts).find("CONFIG_KEXEC"), std::string::npos);
  EXPECT_NE(explain_kexec_load_error(EBUSY, plan, facts).find("try again"), std::string::npos);
  EXPECT_NE(explain_kexec_load_error(EINVAL, plan, facts).find("--dry-run"), std::string::npos);
}

TEST(KexecErrors, NameTheSegmentOutsideRam) {
  const KexecPlan plan = plan_kexec(sample_image(), 0x1000);
  styx::host::KexecFacts facts;
  facts.ram = {{0, 0x3001000}, {0x3ff0000, 0x10000}};
  EXPECT_EQ(explain_kexec_load_error(EADDRNOTAVAIL, plan, facts),
            "kexec_load: the kernel refused segment 1 (bootparams) at [0x3000000, 0x3002000) "
            "(EADDRNOTAVAIL): it is not in this machine's System RAM (see /proc/iomem)");
  for (const std::string& line :
       {explain_kexec_load_error(EPERM, plan, facts), explain_kexec_load_error(ENOMEM, plan, facts),
        explain_kexec_load_error(EFAULT, plan, facts)})
    EXPECT_EQ(line.find('\n'), std::string::npos);
}

}  // namespace
