// SPDX-License-Identifier: GPL-2.0-only
// The ppc64le boot protocol: ELF vmlinux parsing, placement above the kernel's final place at 0
// inside the real-mode area, firmware memory kept clear, the boot CPU in the tree's header, and
// the device tree handed over in r3.
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
constexpr uint64_t kGiB = 1ull << 30;
constexpr uint64_t kKernelVirt = 0xc000000000000000ull;
constexpr size_t kBody = 0x1000;

void put(std::vector<uint8_t>& d, size_t at, uint64_t v, int width, bool big = false) {
  for (int i = 0; i < width; ++i)
    d[at + (big ? width - 1 - i : i)] = static_cast<uint8_t>(v >> (8 * i));
}

struct Load {
  uint64_t vaddr, paddr, filesz, memsz;
};

// An ELF vmlinux with the given PT_LOADs, their bytes one after the other from kBody.
std::vector<uint8_t> vmlinux(std::vector<Load> loads = {{kKernelVirt, 0, 64 << 10, 3 * kMiB}},
                             uint64_t entry = kKernelVirt, uint16_t machine = 21,
                             bool big = false) {
  size_t total = kBody;
  for (const Load& l : loads) total += l.filesz;
  std::vector<uint8_t> d(total, 0x5a);
  std::fill(d.begin(), d.begin() + kBody, 0);
  const uint8_t ident[] = {0x7f, 'E', 'L', 'F', 2, static_cast<uint8_t>(big ? 2 : 1), 1};
  std::memcpy(d.data(), ident, sizeof(ident));
  put(d, 16, 2, 2, big);
  put(d, 18, machine, 2, big);
  put(d, 20, 1, 4, big);
  put(d, 24, entry, 8, big);
  put(d, 32, 64, 8, big);
  put(d, 52, 64, 2, big);
  put(d, 54, 56, 2, big);
  put(d, 56, loads.size(), 2, big);
  uint64_t offset = kBody;
  for (size_t i = 0; i < loads.size(); ++i) {
    const size_t ph = 64 + 56 * i;
    put(d, ph, 1, 4, big);
    put(d, ph + 8, offset, 8, big);
    put(d, ph + 16, loads[i].vaddr, 8, big);
    put(d, ph + 24, loads[i].paddr, 8, big);
    put(d, ph + 32, loads[i].filesz, 8, big);
    put(d, ph + 40, loads[i].memsz, 8, big);
    // Each PT_LOAD's first byte names it, so placement can be checked in the flat image.
    if (loads[i].filesz) d[offset] = static_cast<uint8_t>(0xa0 + i);
    offset += loads[i].filesz;
  }
  return d;
}

struct Tree {
  uint64_t ram = 2 * kGiB;
  std::vector<uint32_t> cpus = {0};
  uint32_t header_cpu = 0;
  bool rtas = false;
  bool stdout_vty = true;
  std::vector<MemRange> memreserve;
};

// A pseries-like tree as a running kernel would export it.
std::vector<uint8_t> pseries_tree(const Tree& t) {
  std::vector<uint8_t> b(8192);
  void* fdt = b.data();
  fdt_create(fdt, static_cast<int>(b.size()));
  for (const MemRange& r : t.memreserve) fdt_add_reservemap_entry(fdt, r.start, r.size);
  fdt_finish_reservemap(fdt);
  fdt_begin_node(fdt, "");
  fdt_property_u32(fdt, "#address-cells", 2);
  fdt_property_u32(fdt, "#size-cells", 2);
  fdt_begin_node(fdt, "memory@0");
  fdt_property_string(fdt, "device_type", "memory");
  const fdt64_t reg[2] = {cpu_to_fdt64(0), cpu_to_fdt64(t.ram)};
  fdt_property(fdt, "reg", reg, sizeof(reg));
  fdt_end_node(fdt);
  fdt_begin_node(fdt, "cpus");
  fdt_property_u32(fdt, "#address-cells", 1);
  fdt_property_u32(fdt, "#size-cells", 0);
  for (uint32_t id : t.cpus) {
    fdt_begin_node(fdt, ("PowerPC,POWER9@" + std::to_string(id)).c_str());
    fdt_property_string(fdt, "device_type", "cpu");
    fdt_property_u32(fdt, "reg", id);
    // SMT threads: the kernel matches the boot CPU against these, not reg alone.
    const fdt32_t threads[2] = {cpu_to_fdt32(id), cpu_to_fdt32(id + 1)};
    fdt_property(fdt, "ibm,ppc-interrupt-server#s", threads, sizeof(threads));
    fdt_end_node(fdt);
  }
  fdt_end_node(fdt);
  if (t.rtas) {
    fdt_begin_node(fdt, "rtas");
    fdt_property_u32(fdt, "linux,rtas-base", 0x3fff0000);
    fdt_property_u32(fdt, "linux,rtas-entry", 0x3fff0100);
    fdt_property_u32(fdt, "rtas-size", 0x10000);
    fdt_end_node(fdt);
  }
  fdt_begin_node(fdt, "vdevice");
  fdt_property_u32(fdt, "#address-cells", 1);
  fdt_property_u32(fdt, "#size-cells", 0);
  fdt_begin_node(fdt, "vty@30000000");
  fdt_property(fdt, "compatible", "IBM,vty\0hvterm1", 16);
  fdt_property_u32(fdt, "reg", 0x30000000);
  fdt_end_node(fdt);
  fdt_end_node(fdt);
  fdt_begin_node(fdt, "chosen");
  if (t.stdout_vty) fdt_property_string(fdt, "stdout-path", "/vdevice/vty@30000000");
  fdt_property_u64(fdt, "linux,initrd-start", 0x5000000);
  fdt_property_u64(fdt, "linux,initrd-end", 0x5100000);
  fdt_end_node(fdt);
  fdt_end_node(fdt);
  fdt_finish(fdt);
  fdt_set_boot_cpuid_phys(fdt, t.header_cpu);
  b.resize(fdt_totalsize(fdt));
  return b;
}

const styx::host::ArchInfo* ppc64le() {
  return styx::host::find_arch("ppc64le");
}

BootInputs inputs(std::vector<uint8_t> kernel, const Tree& t = {}) {
  BootInputs in;
  in.kernel = {"vmlinux", std::move(kernel)};
  in.dtb = styx::host::NamedBlob{"pseries.dtb", pseries_tree(t)};
  return in;
}

using styx::test::segment;

std::string refusal(const BootInputs& in) {
  return styx::test::refusal(*ppc64le(), in);
}

#define NEED_PPC64LE() \
  if (!ppc64le()) GTEST_SKIP() << "ppc64le is not built"

TEST(Ppc64leBoot, RefusesWhatIsNotALittleEndianPpc64Vmlinux) {
  NEED_PPC64LE();
  EXPECT_NE(refusal(inputs(std::vector<uint8_t>(4096, 0x7f))).find("vmlinux: not an ELF file"),
            std::string::npos);
  EXPECT_NE(refusal(inputs(vmlinux({{kKernelVirt, 0, 4096, 4096}}, kKernelVirt, 62)))
                .find("not a ppc64 kernel (ELF machine 62"),
            std::string::npos);
  EXPECT_NE(refusal(inputs(vmlinux({{kKernelVirt, 0, 4096, 4096}}, kKernelVirt, 21, true)))
                .find("big-endian"),
            std::string::npos);
  // The header says more file bytes than there are.
  auto truncated = vmlinux({{kKernelVirt, 0, 64 << 10, kMiB}});
  truncated.resize(truncated.size() - 1);
  EXPECT_NE(refusal(inputs(truncated)).find("vmlinux: segment contents: truncated"),
            std::string::npos);
  EXPECT_NE(refusal(inputs(vmlinux({{kKernelVirt, 0, 8192, 4096}}))).find("more file bytes"),
            std::string::npos);
  EXPECT_NE(refusal(inputs(vmlinux({}))).find("no PT_LOAD"), std::string::npos);
  EXPECT_NE(refusal(inputs(vmlinux({{kKernelVirt, 0, 4096, 8192}}, kKernelVirt + 4096)))
                .find("entry point 0xc000000000001000 is not in the file bytes"),
            std::string::npos);
  EXPECT_NE(refusal(inputs(vmlinux(
                        {{kKernelVirt, 0, 4096, 8192}, {kKernelVirt + 4096, 4096, 4096, 4096}})))
                .find("PT_LOADs overlap"),
            std::string::npos);
  BootInputs no_dtb = inputs(vmlinux());
  no_dtb.dtb.reset();
  EXPECT_NE(refusal(no_dtb).find("--dtb"), std::string::npos);
}

TEST(Ppc64leBoot, FlattensPtLoadsByPhysicalOffset) {
  NEED_PPC64LE();
  // Two PT_LOADs 1 MiB apart with p_paddr as the kernel links them, entry in the second.
  const BootPlan p = ppc64le()->plan_boot(
      inputs(vmlinux({{kKernelVirt, 0, 4096, 8192}, {kKernelVirt + kMiB, kMiB, 4096, 2 * kMiB}},
                     kKernelVirt + kMiB + 0x10)));
  const SegmentInput& k = segment(p, Role::kKernel);
  ASSERT_EQ(k.data.size(), kMiB + 4096);
  EXPECT_EQ(k.data[0], 0xa0);
  EXPECT_EQ(k.data[4096], 0);  // the gap is zeroed
  EXPECT_EQ(k.data[kMiB], 0xa1);
  EXPECT_EQ(p.entry, k.addr + kMiB + 0x10);
}

TEST(Ppc64leBoot, KernelAboveItsFinalPlaceAndAllInTheRealModeArea) {
  NEED_PPC64LE();
  BootInputs in = inputs(vmlinux());
  in.initrd = styx::host::NamedBlob{"initrd", std::vector<uint8_t>(10000, 7)};
  in.ima = styx::host::NamedBlob{"ima", std::vector<uint8_t>(100, 1)};
  const BootPlan p = ppc64le()->plan_boot(in);
  const SegmentInput& k = segment(p, Role::kKernel);
  // The kernel copies its 3 MiB to 0: the loaded copy starts at the first 64 KiB above that.
  EXPECT_EQ(k.addr, 3 * kMiB);
  EXPECT_EQ(p.entry, k.addr);
  ASSERT_EQ(p.boot_args.size(), 2u);
  EXPECT_EQ(p.boot_args[0].first, "r3");
  EXPECT_EQ(p.boot_args[0].second, segment(p, Role::kDtb).addr);
  EXPECT_EQ(p.boot_args[1], (std::pair<std::string, uint64_t>{"r4", k.addr}));
  // RAM is 2 GiB, but everything lies in the first 1 GiB, and the purgatory must stay there
  // and out of the kernel's final place.
  for (const SegmentInput& s : p.segments) {
    EXPECT_GE(s.addr, 3 * kMiB) << s.name;
    EXPECT_LE(s.addr + s.data.size(), kGiB) << s.name;
  }
  ASSERT_EQ(p.ram.size(), 1u);
  EXPECT_EQ(p.ram[0].size, 2 * kGiB);
  bool low = false, high = false;
  for (const MemRange& r : p.reserved) {
    low |= r.start == 0 && r.size >= 3 * kMiB;
    high |= r.start == kGiB && r.size == kGiB;
  }
  EXPECT_TRUE(low);
  EXPECT_TRUE(high);
}

TEST(Ppc64leBoot, KernelsFinalPlaceMustBeFreeRam) {
  NEED_PPC64LE();
  Tree reserved;
  reserved.memreserve = {{0x100000, 0x1000}};
  EXPECT_NE(refusal(inputs(vmlinux(), reserved))
                .find("pseries.dtb: 0x100000+0x1000 is reserved, but the kernel copies itself to "
                      "0..0x300000"),
            std::string::npos);
  // --mem may leave the low memory out of the image, but the tree is what the kernel sees.
  BootInputs high = inputs(vmlinux());
  high.ram = {{64 * kMiB, 64 * kMiB}};
  const BootPlan p = ppc64le()->plan_boot(high);
  EXPECT_EQ(segment(p, Role::kKernel).addr, 64 * kMiB);
  Tree tiny;
  tiny.ram = 2 * kMiB;
  EXPECT_NE(refusal(inputs(vmlinux(), tiny)).find("the tree's /memory does not cover"),
            std::string::npos);
}

TEST(Ppc64leBoot, RtasStaysClearAndIsReservedOnce) {
  NEED_PPC64LE();
  Tree t;
  t.rtas = true;
  t.ram = kGiB;
  BootInputs in = inputs(vmlinux(), t);
  in.initrd = styx::host::NamedBlob{"initrd", std::vector<uint8_t>(10000, 7)};
  const BootPlan p = ppc64le()->plan_boot(in);
  const MemRange rtas{0x3fff0000, 0x10000};
  for (const SegmentInput& s : p.segments)
    EXPECT_TRUE(s.addr + s.data.size() <= rtas.start || s.addr >= rtas.end()) << s.name;
  const auto count = [&](const BootPlan& plan) {
    int n = 0;
    for (const MemRange& r : DeviceTree(segment(plan, Role::kDtb).data, "out").memreserve())
      n += r.start == rtas.start && r.size == rtas.size;
    return n;
  };
  EXPECT_EQ(count(p), 1);
  // Already in the reserve map (as prom_init leaves it): not added again.
  t.memreserve = {rtas};
  EXPECT_EQ(count(ppc64le()->plan_boot(inputs(vmlinux(), t))), 1);
}

TEST(Ppc64leBoot, BootCpuInTheHeaderIsOneTheKernelFinds) {
  NEED_PPC64LE();
  const auto boot_cpu = [](const Tree& t) {
    const BootPlan p = ppc64le()->plan_boot(inputs(vmlinux(), t));
    return fdt_boot_cpuid_phys(segment(p, Role::kDtb).data.data());
  };
  Tree t;
  t.cpus = {8, 16};
  t.header_cpu = 17;  // a thread of the second core: kept
  EXPECT_EQ(boot_cpu(t), 17u);
  t.header_cpu = 3;  // no such thread: the first cpu node's first thread
  EXPECT_EQ(boot_cpu(t), 8u);
  t.cpus = {};
  EXPECT_NE(refusal(inputs(vmlinux(), t)).find("no /cpus node with device_type \"cpu\""),
            std::string::npos);
}

TEST(Ppc64leBoot, ChosenCarriesTheHandOverWithoutStaleState) {
  NEED_PPC64LE();
  BootInputs in = inputs(vmlinux());
  in.cmdline = "console=hvc0 root=/dev/ram0";
  in.initrd = styx::host::NamedBlob{"initrd", std::vector<uint8_t>(10000, 7)};
  const BootPlan p = ppc64le()->plan_boot(in);
  const SegmentInput& dtb = segment(p, Role::kDtb);
  const SegmentInput& initrd = segment(p, Role::kInitrd);
  EXPECT_EQ(dtb.addr % 4096, 0u);
  DeviceTree dt(dtb.data, "out");
  EXPECT_EQ(dt.string_property("/chosen", "bootargs"), "console=hvc0 root=/dev/ram0");
  // The old boot's initrd (0x5000000) is replaced by the new one.
  EXPECT_EQ(dt.number_property("/chosen", "linux,initrd-start"), initrd.addr);
  EXPECT_EQ(dt.number_property("/chosen", "linux,initrd-end"), initrd.addr + 10000);
  ASSERT_TRUE(p.console);
  EXPECT_EQ(p.console->kind, static_cast<uint32_t>(ConsoleKind::kHvterm));
  EXPECT_EQ(p.console->base, 0x30000000u);
  // No stdout-path: the default console (hvterm 0) is left to the builder.
  Tree quiet;
  quiet.stdout_vty = false;
  EXPECT_FALSE(ppc64le()->plan_boot(inputs(vmlinux(), quiet)).console);
}

TEST(Ppc64leBoot, BuilderAcceptsThePlan) {
  NEED_PPC64LE();
  const BootPlan p = ppc64le()->plan_boot(inputs(vmlinux()));
  styx::host::BuildRequest req;
  req.arch = ppc64le();
  styx::host::apply_boot_plan(p, req);
  const auto image = styx::host::build_image(req, styx::host::embedded_purgatory("ppc64le"));
  EXPECT_EQ(image.handoff.entry, p.entry);
  EXPECT_EQ(image.handoff.boot_args[0], segment(p, Role::kDtb).addr);
  EXPECT_EQ(image.handoff.boot_args[1], segment(p, Role::kKernel).addr);
  EXPECT_GE(image.purgatory_addr, 3 * kMiB);
  EXPECT_LE(image.purgatory_addr + image.purgatory_memsz, kGiB);
}

}  // namespace
