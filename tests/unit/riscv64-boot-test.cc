// SPDX-License-Identifier: GPL-2.0-only
// The riscv64 boot protocol: Image headers, placement clear of the SBI firmware, and the device
// tree handed over in a1.
#include <gtest/gtest.h>
#include <libfdt.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "arch-info.h"
#include "boot-plan-test-util.h"
#include "boot.h"
#include "builder.h"
#include "code-check.h"
#include "device-tree.h"
#include "embedded-purgatory.h"
#include "error.h"

namespace {

using styx::ConsoleKind;
using styx::Role;
using styx::host::BootInputs;
using styx::host::BootPlan;
using styx::host::DeviceTree;
using styx::host::InputError;
using styx::host::MemRange;
using styx::host::SegmentInput;

constexpr uint64_t kMiB = 1 << 20;
constexpr uint64_t kRamBase = 0x80000000;
constexpr uint64_t kSbiSize = 512 << 10;

void put_le(std::vector<uint8_t>& d, size_t at, uint64_t v, int width) {
  for (int i = 0; i < width; ++i) d[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

std::vector<uint8_t> riscv_image(uint64_t text_offset, uint64_t image_size,
                                 size_t file_size = 64 << 10) {
  std::vector<uint8_t> d(file_size, 0x5a);
  std::fill(d.begin(), d.begin() + 64, 0);
  put_le(d, 8, text_offset, 8);
  put_le(d, 16, image_size, 8);
  put_le(d, 32, 2, 4);
  std::memcpy(&d[48], "RISCV\0\0\0", 8);
  std::memcpy(&d[56], "RSC\x05", 4);
  return d;
}

// A qemu virt-like tree: RAM (unless `memory` is false, as the EFI stub leaves it), an ns16550a
// at 0x10000000 named by stdout-path, and optionally the /reserved-memory node OpenSBI adds for
// itself.
std::vector<uint8_t> virt_tree(bool sbi_reserved, bool stdout_path = true, bool memory = true) {
  std::vector<uint8_t> b(8192);
  void* fdt = b.data();
  auto reg = [&](uint64_t addr, uint64_t size) {
    const fdt64_t r[2] = {cpu_to_fdt64(addr), cpu_to_fdt64(size)};
    fdt_property(fdt, "reg", r, sizeof(r));
  };
  fdt_create(fdt, static_cast<int>(b.size()));
  fdt_finish_reservemap(fdt);
  fdt_begin_node(fdt, "");
  fdt_property_u32(fdt, "#address-cells", 2);
  fdt_property_u32(fdt, "#size-cells", 2);
  if (memory) {
    fdt_begin_node(fdt, "memory@80000000");
    fdt_property_string(fdt, "device_type", "memory");
    reg(kRamBase, 256 * kMiB);
    fdt_end_node(fdt);
  }
  if (sbi_reserved) {
    fdt_begin_node(fdt, "reserved-memory");
    fdt_property_u32(fdt, "#address-cells", 2);
    fdt_property_u32(fdt, "#size-cells", 2);
    fdt_property(fdt, "ranges", nullptr, 0);
    fdt_begin_node(fdt, "mmode_resv0@80000000");
    reg(kRamBase, kSbiSize);
    fdt_end_node(fdt);
    fdt_end_node(fdt);
  }
  fdt_begin_node(fdt, "serial@10000000");
  fdt_property_string(fdt, "compatible", "ns16550a");
  reg(0x10000000, 0x100);
  fdt_end_node(fdt);
  fdt_begin_node(fdt, "chosen");
  if (stdout_path) fdt_property_string(fdt, "stdout-path", "/serial@10000000");
  fdt_end_node(fdt);
  fdt_end_node(fdt);
  fdt_finish(fdt);
  b.resize(fdt_totalsize(fdt));
  return b;
}

const styx::host::ArchInfo* riscv64() {
  return styx::host::find_arch("riscv64");
}

BootInputs inputs(std::vector<uint8_t> kernel, bool sbi_reserved = false) {
  BootInputs in;
  in.kernel = {"Image", std::move(kernel)};
  in.dtb = styx::host::NamedBlob{"virt.dtb", virt_tree(sbi_reserved)};
  return in;
}

using styx::test::segment;

std::string refusal(const BootInputs& in) {
  return styx::test::refusal(*riscv64(), in);
}

#define NEED_RISCV64() \
  if (!riscv64()) GTEST_SKIP() << "riscv64 is not built"

TEST(Riscv64Boot, ArchInfoIsWired) {
  NEED_RISCV64();
  EXPECT_EQ(riscv64()->elf_machine, 243);
  EXPECT_EQ(riscv64()->relative_reloc, 3u);
  EXPECT_EQ(riscv64()->boot_registers, (std::vector<std::string_view>{"a0", "a1"}));
  EXPECT_EQ(riscv64()->default_console.kind, static_cast<uint32_t>(ConsoleKind::kSbi));
}

TEST(Riscv64CodeCheck, RefusesFpAndDecodesLengths) {
  NEED_RISCV64();
  const auto check = [](std::vector<uint8_t> code) {
    return styx::host::find_code_check("riscv64")(code, 0x1000);
  };
  // addi a0,a0,1; c.addi a0,1; ret
  EXPECT_EQ(check({0x13, 0x05, 0x15, 0x00, 0x05, 0x05, 0x82, 0x80}), "");
  // fld fa0,0(a0) after a compressed instruction: named at its address.
  EXPECT_NE(check({0x05, 0x05, 0x07, 0x35, 0x05, 0x00}).find("FP instruction 0x00053507 at 0x1002"),
            std::string::npos);
  // fadd.d fa0,fa0,fa1
  EXPECT_NE(check({0x53, 0x75, 0xb5, 0x02}).find("FP instruction"), std::string::npos);
  // c.fldsp fa0,0(sp) and c.fsd fa0,0(a0)
  EXPECT_NE(check({0x02, 0x25}).find("FP instruction 0x2502"), std::string::npos);
  EXPECT_NE(check({0x08, 0xa1}).find("FP instruction 0xa108"), std::string::npos);
  // c.ldsp a0,0(sp) is an integer load on RV64.
  EXPECT_EQ(check({0x02, 0x65}), "");
  // The second half of a 32-bit instruction is not decoded on its own: 0x2502 there is data.
  EXPECT_EQ(check({0x37, 0x05, 0x02, 0x25}), "");
}

TEST(Riscv64Boot, RefusesWhatIsNotAnImage) {
  NEED_RISCV64();
  EXPECT_NE(refusal(inputs(std::vector<uint8_t>(40))).find("too short"), std::string::npos);
  auto no_magic2 = riscv_image(0, 2 * kMiB);
  no_magic2[59] = 0x04;
  EXPECT_NE(refusal(inputs(no_magic2)).find("not a RISC-V Image"), std::string::npos);
  auto arm = riscv_image(0, 2 * kMiB);
  std::memset(&arm[48], 0, 12);
  std::memcpy(&arm[56], "ARM\x64", 4);
  EXPECT_NE(refusal(inputs(arm)).find("not a RISC-V Image"), std::string::npos);
  EXPECT_NE(refusal(inputs(riscv_image(0x1001, 2 * kMiB))).find("text_offset"), std::string::npos);
  BootInputs no_dtb = inputs(riscv_image(0, 2 * kMiB));
  no_dtb.dtb.reset();
  EXPECT_NE(refusal(no_dtb).find("--dtb"), std::string::npos);
}

// Found by fuzz-kernel-riscv64: text_offset + image_size wrapped to a small size, and the plan
// carried a kernel whose reserve ran past 2^64.
TEST(Riscv64Boot, RefusesAnImageSizeThatWrapsWithTheTextOffset) {
  NEED_RISCV64();
  EXPECT_NE(refusal(inputs(riscv_image(2 * kMiB, 0xffffffffffffff00ull))).find("image_size"),
            std::string::npos);
}

TEST(Riscv64Boot, KernelAtTwoMiBPlusTextOffsetClearOfTheFirmware) {
  NEED_RISCV64();
  for (bool reserved_in_tree : {false, true}) {
    const BootPlan p =
        riscv64()->plan_boot(inputs(riscv_image(0x1000, 3 * kMiB), reserved_in_tree));
    const SegmentInput& k = segment(p, Role::kKernel);
    // The first 2 MiB base holds OpenSBI's 512 KiB: the next one is the first free.
    EXPECT_EQ(k.addr, kRamBase + 2 * kMiB + 0x1000);
    EXPECT_EQ(p.entry, k.addr);
    for (const SegmentInput& s : p.segments) EXPECT_GE(s.addr, kRamBase + kSbiSize) << s.name;
  }
}

TEST(Riscv64Boot, FirmwareRegionReservedInTheTreeOnce) {
  NEED_RISCV64();
  auto count = [](const BootPlan& p) {
    int n = 0;
    for (const MemRange& r : DeviceTree(segment(p, Role::kDtb).data, "out").memreserve())
      n += r.start == kRamBase && r.size == kSbiSize;
    return n;
  };
  EXPECT_EQ(count(riscv64()->plan_boot(inputs(riscv_image(0, 2 * kMiB), false))), 1);
  // --mem leaving the firmware out does not change what the kernel sees in /memory.
  BootInputs above = inputs(riscv_image(0, 2 * kMiB), false);
  above.ram = {{kRamBase + 2 * kMiB, 64 * kMiB}};
  EXPECT_EQ(count(riscv64()->plan_boot(above)), 1);
  // OpenSBI's own /reserved-memory node already covers it: nothing is added.
  EXPECT_EQ(count(riscv64()->plan_boot(inputs(riscv_image(0, 2 * kMiB), true))), 0);
}

// UEFI: the EFI stub removed /memory; RAM is the firmware map's System RAM and nothing goes where
// the running kernel reserved memory inside it (here, the EFI memory map's own pages).
TEST(Riscv64Boot, TreeWithoutMemoryTakesRamFromTheFirmwareMap) {
  NEED_RISCV64();
  BootInputs in = inputs(riscv_image(0, 2 * kMiB));
  in.dtb->data = virt_tree(true, true, false);
  in.firmware_map_source = "/proc/iomem";
  in.firmware_map = {{kRamBase, 128 * kMiB, "System RAM"}, {0x10000000, 0x1000, "serial"}};
  const MemRange efi_map{kRamBase + 128 * kMiB - (64 << 10), 64 << 10};
  in.firmware_reserved = {efi_map};
  const BootPlan p = riscv64()->plan_boot(in);
  ASSERT_EQ(p.ram.size(), 1u);
  EXPECT_EQ(p.ram[0].start, kRamBase);
  EXPECT_EQ(p.ram[0].size, 128 * kMiB);
  EXPECT_NE(p.ram_source.find("/proc/iomem (System RAM; the tree has no /memory)"),
            std::string::npos)
      << p.ram_source;
  for (const SegmentInput& s : p.segments) {
    EXPECT_GE(s.addr, kRamBase + kSbiSize) << s.name;
    EXPECT_TRUE(s.addr + s.data.size() + s.reserve <= efi_map.start || s.addr >= efi_map.end())
        << s.name << " at " << std::hex << s.addr;
  }
}

// The control: neither /memory nor a firmware map is no RAM, said so, not a guess.
TEST(Riscv64Boot, TreeWithoutMemoryOrFirmwareMapIsRefused) {
  NEED_RISCV64();
  BootInputs in = inputs(riscv_image(0, 2 * kMiB));
  in.dtb->data = virt_tree(true, true, false);
  EXPECT_EQ(refusal(in), "virt.dtb: no RAM: no enabled /memory node with a reg (or use --mem)");
}

TEST(Riscv64Boot, ChosenCarriesTheHandOverAndA1PointsAtIt) {
  NEED_RISCV64();
  BootInputs in = inputs(riscv_image(0, 2 * kMiB));
  in.cmdline = "console=ttyS0 root=/dev/ram0";
  in.initrd = styx::host::NamedBlob{"initrd", std::vector<uint8_t>(10000, 7)};
  const BootPlan p = riscv64()->plan_boot(in);
  const SegmentInput& dtb = segment(p, Role::kDtb);
  const SegmentInput& initrd = segment(p, Role::kInitrd);
  ASSERT_EQ(p.boot_args.size(), 2u);
  EXPECT_EQ(p.boot_args[0], (std::pair<std::string, uint64_t>{"a0", 0}));
  EXPECT_EQ(p.boot_args[1], (std::pair<std::string, uint64_t>{"a1", dtb.addr}));
  EXPECT_EQ(dtb.addr % 4096, 0u);
  DeviceTree dt(dtb.data, "out");
  EXPECT_EQ(dt.string_property("/chosen", "bootargs"), "console=ttyS0 root=/dev/ram0");
  EXPECT_EQ(dt.number_property("/chosen", "linux,initrd-start"), initrd.addr);
  EXPECT_EQ(dt.number_property("/chosen", "linux,initrd-end"), initrd.addr + 10000);
  ASSERT_TRUE(p.console);
  EXPECT_EQ(p.console->kind, static_cast<uint32_t>(ConsoleKind::kUart8250Mmio));
  EXPECT_EQ(p.console->base, 0x10000000u);
}

TEST(Riscv64Boot, BuilderAcceptsThePlan) {
  NEED_RISCV64();
  const BootPlan p = riscv64()->plan_boot(inputs(riscv_image(0, 2 * kMiB)));
  styx::host::BuildRequest req;
  req.arch = riscv64();
  styx::host::apply_boot_plan(p, req);
  const auto image = styx::host::build_image(req, styx::host::embedded_purgatory("riscv64"));
  EXPECT_EQ(image.handoff.entry, p.entry);
  EXPECT_EQ(image.handoff.boot_args[0], 0u);
  EXPECT_EQ(image.handoff.boot_args[1], segment(p, Role::kDtb).addr);
  EXPECT_GE(image.purgatory_addr, kRamBase + kSbiSize);
}

}  // namespace
