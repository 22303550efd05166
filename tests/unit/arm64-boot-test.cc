// SPDX-License-Identifier: GPL-2.0-only
// The arm64 boot protocol: Image headers, placement, the device tree handed over in x0, and what
// the next kernel reads back from it.
#include <gtest/gtest.h>
#include <libfdt.h>
#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "../../arch/arm64/host/kernel-image.h"
#include "arch-info.h"
#include "boot-plan-test-util.h"
#include "boot.h"
#include "builder.h"
#include "device-tree.h"
#include "embedded-purgatory.h"
#include "error.h"
#include "random-bytes.h"

namespace {

using styx::ConsoleKind;
using styx::Role;
using styx::host::BootInputs;
using styx::host::BootPlan;
using styx::host::DeviceTree;
using styx::host::InputError;
using styx::host::MemRange;
using styx::host::SegmentInput;

constexpr uint64_t kKiB = 1 << 10;
constexpr uint64_t kMiB = 1 << 20;
constexpr uint64_t kRamBase = 0x40000000;

// --- Images ---

void put_le(std::vector<uint8_t>& d, size_t at, uint64_t v, int width) {
  for (int i = 0; i < width; ++i) d[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

using styx::test::random_bytes;

std::vector<uint8_t> arm64_image(uint64_t text_offset, uint64_t image_size, uint64_t flags = 0xa,
                                 size_t file_size = 64 * kKiB) {
  auto d = random_bytes(file_size, 7);
  put_le(d, 0, 0x14000010, 4);  // b +0x40
  put_le(d, 4, 0, 4);
  put_le(d, 8, text_offset, 8);
  put_le(d, 16, image_size, 8);
  put_le(d, 24, flags, 8);
  for (size_t i = 32; i < 56; ++i) d[i] = 0;
  std::memcpy(&d[56], "ARM\x64", 4);
  put_le(d, 60, 0, 4);
  return d;
}

std::vector<uint8_t> gzip(const std::vector<uint8_t>& in) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::vector<uint8_t> out(deflateBound(&zs, in.size()) + 64);
  zs.next_in = const_cast<Bytef*>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::vector<uint8_t> zboot(const std::vector<uint8_t>& payload, const char* type) {
  std::vector<uint8_t> f(0x200, 0);
  f[0] = 'M';
  f[1] = 'Z';
  std::memcpy(&f[4], "zimg", 4);
  put_le(f, 8, f.size(), 4);
  put_le(f, 12, payload.size(), 4);
  std::strcpy(reinterpret_cast<char*>(&f[24]), type);
  f.insert(f.end(), payload.begin(), payload.end());
  return f;
}

template <class F>
std::string input_error(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no InputError)";
}

#define EXPECT_ERROR(stmt, text)                                 \
  do {                                                           \
    const std::string msg_ = input_error([&] { (void)(stmt); }); \
    EXPECT_NE(msg_.find(text), std::string::npos) << msg_;       \
  } while (0)

TEST(Arm64Image, ParsesTheHeader) {
  const auto file = arm64_image(0, 0x1230000, 0xa);
  const auto img = styx::host::parse_arm64_image(file, "Image");
  EXPECT_EQ(img.text_offset, 0u);
  EXPECT_EQ(img.image_size, 0x1230000u);
  EXPECT_EQ(img.flags, 0xau);
  EXPECT_FALSE(img.legacy);
  EXPECT_EQ(img.data, file);
  EXPECT_EQ(img.compression, "");
}

TEST(Arm64Image, LegacyHeaderUsesTheDocumentedDefaults) {
  const auto img = styx::host::parse_arm64_image(arm64_image(0x12345, 0, 0), "old");
  EXPECT_TRUE(img.legacy);
  EXPECT_EQ(img.text_offset, 0x80000u);
  EXPECT_EQ(img.image_size, 64 * kKiB + styx::host::kArm64LegacySlack);
}

TEST(Arm64Image, ImageSizeCoversTheWholeFile) {
  const auto img = styx::host::parse_arm64_image(arm64_image(0, 0x1000), "signed");
  EXPECT_EQ(img.image_size, 64 * kKiB);
}

TEST(Arm64Image, Refusals) {
  auto no_magic = arm64_image(0, 0x100000);
  no_magic[56] = 'X';
  EXPECT_ERROR(styx::host::parse_arm64_image(no_magic, "vmlinux"),
               "vmlinux: not an arm64 Image (no ARM\\x64 magic)");
  const auto whole = arm64_image(0, 0x100000);
  EXPECT_ERROR(styx::host::parse_arm64_image(std::span(whole).first(40), "cut"),
               "cut: truncated arm64 Image");
  EXPECT_ERROR(styx::host::parse_arm64_image(arm64_image(0, 0x100000, 0xb), "be"),
               "be: big-endian arm64 kernel");
  EXPECT_ERROR(styx::host::parse_arm64_image(arm64_image(0x200000, 0x100000), "off"),
               "off: text_offset 0x200000");
  // Found by fuzzing: text_offset + image_size wrapped to a small size the layout accepted.
  EXPECT_ERROR(styx::host::parse_arm64_image(arm64_image(0x743, 0xffffffffffffff00), "huge"),
               "huge: image_size 0xffffffffffffff00 is beyond 48-bit physical memory");
}

TEST(Arm64Image, Gzip) {
  const auto raw = arm64_image(0, 0x400000, 0xa, 300 * kKiB);
  const auto gz = gzip(raw);
  const auto img = styx::host::parse_arm64_image(gz, "Image.gz");
  EXPECT_EQ(img.data, raw);
  EXPECT_EQ(img.compression, "gzip");

  EXPECT_ERROR(styx::host::parse_arm64_image(std::span(gz).first(gz.size() / 2), "half.gz"),
               "half.gz: gzip data ends early");
  auto corrupt = gz;
  for (size_t i = 20; i < 60; ++i) corrupt[i] ^= 0x55;
  EXPECT_ERROR(styx::host::parse_arm64_image(corrupt, "bad.gz"), "bad.gz: corrupt gzip data");
  EXPECT_ERROR(styx::host::gunzip(gz, "big.gz", 100 * kKiB), "big.gz: gzip data inflates beyond");
  EXPECT_EQ(styx::host::gunzip(gz, "exact.gz", raw.size()), raw);
}

TEST(Arm64Image, EfiZboot) {
  const auto raw = arm64_image(0, 0x400000);
  const auto img = styx::host::parse_arm64_image(zboot(gzip(raw), "gzip"), "vmlinuz.efi");
  EXPECT_EQ(img.data, raw);
  EXPECT_ERROR(styx::host::parse_arm64_image(zboot(raw, "zstd"), "z.efi"),
               "z.efi: EFI zboot image compressed with 'zstd'");
}

// --- Device trees ---

std::vector<uint8_t> cells(std::initializer_list<uint32_t> words) {
  std::vector<uint8_t> out;
  for (uint32_t w : words)
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(w >> shift));
  return out;
}

std::vector<uint8_t> reg(uint64_t addr, uint64_t size, int ac, int sc) {
  std::vector<uint8_t> out;
  const auto put = [&](uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) {
      const auto w = cells({static_cast<uint32_t>(v >> (32 * i))});
      out.insert(out.end(), w.begin(), w.end());
    }
  };
  put(addr, ac);
  put(size, sc);
  return out;
}

struct Tree {
  int ac = 2, sc = 2;
  uint64_t ram_size = 256 * kMiB;
  bool uart8250 = false;  // ns16550a with reg-shift 2 instead of the PL011
  bool stdout_path = true;
  bool stale = false;
  // A /reserved-memory region at the start of RAM, where the kernel would otherwise go.
  bool reserve_base = false;
};

constexpr uint64_t kMemreserve = 0x48000000;
constexpr uint64_t kSecmon = 0x4a000000;

std::vector<uint8_t> virt_tree(const Tree& t = {}) {
  std::vector<uint8_t> buf(1 << 16);
  void* f = buf.data();
  const auto ok = [](int err) {
    if (err < 0) throw std::runtime_error(fdt_strerror(err));
  };
  const auto prop = [&](const char* name, const std::vector<uint8_t>& v) {
    ok(fdt_property(f, name, v.data(), static_cast<int>(v.size())));
  };
  const auto str = [&](const char* name, const char* s) { ok(fdt_property_string(f, name, s)); };
  ok(fdt_create(f, static_cast<int>(buf.size())));
  ok(fdt_add_reservemap_entry(f, kMemreserve, 0x10000));
  if (t.stale) {
    ok(fdt_add_reservemap_entry(f, 0x44000000, 0x5000));
    ok(fdt_add_reservemap_entry(f, 0x46000000, 0x2000));
  }
  ok(fdt_finish_reservemap(f));
  ok(fdt_begin_node(f, ""));
  prop("#address-cells", cells({uint32_t(t.ac)}));
  prop("#size-cells", cells({uint32_t(t.sc)}));
  str("compatible", "linux,dummy-virt");
  ok(fdt_begin_node(f, "memory@40000000"));
  str("device_type", "memory");
  prop("reg", reg(kRamBase, t.ram_size, t.ac, t.sc));
  ok(fdt_end_node(f));
  ok(fdt_begin_node(f, "pl011@9000000"));
  str("compatible", "arm,pl011");
  prop("reg", reg(0x09000000, 0x1000, t.ac, t.sc));
  ok(fdt_end_node(f));
  ok(fdt_begin_node(f, "serial@10000000"));
  str("compatible", "ns16550a");
  prop("reg", reg(0x10000000, 0x100, t.ac, t.sc));
  prop("reg-shift", cells({2}));
  ok(fdt_end_node(f));
  ok(fdt_begin_node(f, "reserved-memory"));
  prop("#address-cells", cells({uint32_t(t.ac)}));
  prop("#size-cells", cells({uint32_t(t.sc)}));
  prop("ranges", {});
  ok(fdt_begin_node(f, "secmon@4a000000"));
  prop("reg", reg(kSecmon, 2 * kMiB, t.ac, t.sc));
  prop("no-map", {});
  ok(fdt_end_node(f));
  if (t.reserve_base) {
    ok(fdt_begin_node(f, "firmware@40000000"));
    prop("reg", reg(kRamBase, 0x100000, t.ac, t.sc));
    ok(fdt_end_node(f));
  }
  ok(fdt_end_node(f));
  ok(fdt_begin_node(f, "chosen"));
  if (t.stdout_path) str("stdout-path", t.uart8250 ? "/serial@10000000" : "/pl011@9000000");
  str("bootargs", "from-firmware");
  if (t.stale) {
    prop("linux,initrd-start", reg(0x44000000, 0, 2, 0));
    prop("linux,initrd-end", reg(0x44005000, 0, 2, 0));
    prop("linux,ima-kexec-buffer", reg(0x46000000, 0x1f00, t.ac, t.sc));
    prop("kaslr-seed", cells({1, 2}));
  }
  ok(fdt_end_node(f));
  ok(fdt_end_node(f));
  ok(fdt_finish(f));
  buf.resize(fdt_totalsize(f));
  return buf;
}

// --- Plans ---

const styx::host::ArchInfo& arm64() {
  const auto* a = styx::host::find_arch("arm64");
  EXPECT_NE(a, nullptr);
  return *a;
}

BootInputs inputs(const Tree& t = {}, uint64_t image_size = 8 * kMiB, uint64_t text_offset = 0) {
  BootInputs in;
  in.kernel = {"Image", arm64_image(text_offset, image_size)};
  in.initrd = styx::host::NamedBlob{"initrd.cpio", random_bytes(300 * kKiB + 5, 3)};
  in.ima = styx::host::NamedBlob{"ima.bin", random_bytes(0x1800, 4)};
  in.cmdline = "console=ttyAMA0 rdinit=/init";
  in.dtb = styx::host::NamedBlob{"virt.dtb", virt_tree(t)};
  return in;
}

BootPlan plan(const BootInputs& in) {
  return arm64().plan_boot(in);
}

using styx::test::segment;

DeviceTree handed_over(const BootPlan& p) {
  return DeviceTree(segment(p, Role::kDtb).data, "out");
}

bool overlaps(uint64_t a, uint64_t a_size, uint64_t b, uint64_t b_size) {
  return a < b + b_size && b < a + a_size;
}

TEST(Arm64Boot, ArchInfoIsWired) {
  EXPECT_NE(arm64().plan_boot, nullptr);
  EXPECT_NE(arm64().read_next_kernel, nullptr);
}

TEST(Arm64Boot, NeedsADeviceTree) {
  auto in = inputs();
  in.dtb.reset();
  EXPECT_ERROR(plan(in), "arm64 needs a device tree: use --dtb");
}

TEST(Arm64Boot, SegmentsEntryAndBootRegister) {
  const auto p = plan(inputs());
  ASSERT_EQ(p.segments.size(), 4u);
  const auto& kernel = segment(p, Role::kKernel);
  const auto& dtb = segment(p, Role::kDtb);
  EXPECT_EQ(kernel.name, "Image");
  EXPECT_EQ(kernel.addr, kRamBase);
  EXPECT_EQ(p.entry, kernel.addr);
  ASSERT_EQ(p.boot_args.size(), 1u);
  EXPECT_EQ(p.boot_args[0].first, "x0");
  EXPECT_EQ(p.boot_args[0].second, dtb.addr);
  EXPECT_EQ(dtb.addr % 8, 0u);
  EXPECT_LE(dtb.data.size(), 2 * kMiB);
  EXPECT_EQ(segment(p, Role::kInitrd).addr % 4096, 0u);
  EXPECT_EQ(segment(p, Role::kIma).addr % 4096, 0u);
  EXPECT_EQ(segment(p, Role::kIma).data, inputs().ima->data);
  // pre-4.2 kernels look for the DTB within 512 MiB of the kernel's base.
  EXPECT_LT(dtb.addr + dtb.data.size(), kernel.addr + 512 * kMiB);
}

TEST(Arm64Boot, KernelAtTwoMiBPlusTextOffsetWithImageSizeFree) {
  auto in = inputs({}, 8 * kMiB, 0x80000);
  in.ram = {{kRamBase, 12 * kMiB}};
  const auto p = plan(in);
  const auto& kernel = segment(p, Role::kKernel);
  EXPECT_EQ(kernel.addr % (2 * kMiB), 0x80000u);
  EXPECT_EQ(kernel.data.size(), 64 * kKiB);  // the segment is only the file
  for (const auto& s : p.segments) {
    if (s.role == Role::kKernel) continue;
    EXPECT_FALSE(overlaps(s.addr, s.data.size(), kernel.addr, 8 * kMiB))
        << role_name(s.role) << " at " << std::hex << s.addr;
  }
  // The kernel's .bss belongs to its segment: out of the purgatory's and kexec's reach.
  EXPECT_EQ(kernel.addr + kernel.data.size() + kernel.reserve, kernel.addr + 8 * kMiB);
}

TEST(Arm64Boot, RamFromMemoryMinusReservations) {
  const auto p = plan(inputs({.reserve_base = true}));
  ASSERT_EQ(p.ram.size(), 1u);
  EXPECT_EQ(p.ram[0].start, kRamBase);
  EXPECT_EQ(p.ram[0].size, 256 * kMiB);
  // The firmware region at the start of RAM pushes the kernel to the next 2 MiB boundary.
  EXPECT_EQ(segment(p, Role::kKernel).addr, kRamBase + 2 * kMiB);
  const std::vector<MemRange> reservations = {
      {kMemreserve, 0x10000}, {kSecmon, 2 * kMiB}, {kRamBase, 0x100000}};
  for (const auto& r : reservations) {
    bool listed = false;
    for (const auto& q : p.reserved) listed |= q.start == r.start && q.size == r.size;
    EXPECT_TRUE(listed) << std::hex << r.start;
    for (const auto& s : p.segments)
      EXPECT_FALSE(overlaps(s.addr, s.data.size(), r.start, r.size))
          << role_name(s.role) << " at " << std::hex << s.addr;
  }
}

TEST(Arm64Boot, ExplicitRamWins) {
  auto in = inputs();
  in.ram = {{0x50000000, 64 * kMiB}};
  const auto p = plan(in);
  EXPECT_EQ(segment(p, Role::kKernel).addr, 0x50000000u);
  ASSERT_EQ(p.ram.size(), 1u);
  EXPECT_EQ(p.ram[0].start, 0x50000000u);
}

TEST(Arm64Boot, ChosenCarriesTheHandOver) {
  for (int c : {1, 2}) {
    const auto in = inputs({.ac = c, .sc = c});
    const auto p = plan(in);
    const auto dt = handed_over(p);
    const auto& initrd = segment(p, Role::kInitrd);
    const auto& ima = segment(p, Role::kIma);
    EXPECT_EQ(dt.string_property("/chosen", "bootargs"), in.cmdline);
    EXPECT_EQ(dt.property("/chosen", "linux,initrd-start"), reg(initrd.addr, 0, 2, 0));
    EXPECT_EQ(dt.property("/chosen", "linux,initrd-end"),
              reg(initrd.addr + initrd.data.size(), 0, 2, 0));
    EXPECT_EQ(dt.property("/chosen", "linux,ima-kexec-buffer"), reg(ima.addr, 0x1800, c, c));
    bool ima_reserved = false;
    for (const auto& r : dt.memreserve()) ima_reserved |= r.start == ima.addr && r.size == 0x2000;
    EXPECT_TRUE(ima_reserved);
  }
}

TEST(Arm64Boot, KeepsFirmwareBootargsWithoutACmdline) {
  auto in = inputs();
  in.cmdline.clear();
  in.initrd.reset();
  in.ima.reset();
  const auto p = plan(in);
  EXPECT_EQ(p.segments.size(), 2u);
  const auto dt = handed_over(p);
  EXPECT_EQ(dt.string_property("/chosen", "bootargs"), "from-firmware");
  EXPECT_FALSE(dt.property("/chosen", "linux,initrd-start"));
  EXPECT_FALSE(dt.property("/chosen", "linux,ima-kexec-buffer"));
}

TEST(Arm64Boot, StaleStateAndItsReservationsGo) {
  auto in = inputs({.stale = true});
  in.initrd.reset();
  in.ima.reset();
  const auto dt = handed_over(plan(in));
  EXPECT_FALSE(dt.property("/chosen", "linux,initrd-start"));
  EXPECT_FALSE(dt.property("/chosen", "linux,initrd-end"));
  EXPECT_FALSE(dt.property("/chosen", "linux,ima-kexec-buffer"));
  const auto rsv = dt.memreserve();
  ASSERT_EQ(rsv.size(), 1u);
  EXPECT_EQ(rsv[0].start, kMemreserve);
}

TEST(Arm64Boot, StaleReservationsAreFreeForPlacement) {
  // The old initrd's reservation is gone, so the RAM it held is usable again.
  auto in = inputs({.stale = true});
  const auto p = plan(in);
  for (const auto& r : p.reserved) {
    EXPECT_NE(r.start, 0x44000000u);
    EXPECT_NE(r.start, 0x46000000u);
  }
}

TEST(Arm64Boot, SeedsDifferBetweenBuilds) {
  const auto a = handed_over(plan(inputs({.stale = true})));
  const auto b = handed_over(plan(inputs({.stale = true})));
  ASSERT_TRUE(a.property("/chosen", "kaslr-seed"));
  ASSERT_TRUE(a.property("/chosen", "rng-seed"));
  EXPECT_NE(a.property("/chosen", "kaslr-seed"), b.property("/chosen", "kaslr-seed"));
  EXPECT_NE(a.property("/chosen", "rng-seed"), b.property("/chosen", "rng-seed"));
  EXPECT_NE(a.property("/chosen", "kaslr-seed"), cells({1, 2}));
}

TEST(Arm64Boot, ConsoleFromStdoutPath) {
  auto p = plan(inputs());
  ASSERT_TRUE(p.console);
  EXPECT_EQ(p.console->kind, uint32_t(ConsoleKind::kPl011));
  EXPECT_EQ(p.console->base, 0x09000000u);

  p = plan(inputs({.uart8250 = true}));
  ASSERT_TRUE(p.console);
  EXPECT_EQ(p.console->kind, uint32_t(ConsoleKind::kUart8250Mmio32));
  EXPECT_EQ(p.console->base, 0x10000000u);

  EXPECT_FALSE(plan(inputs({.stdout_path = false})).console);

  auto in = inputs();
  in.console = styx::Console{uint32_t(ConsoleKind::kNone), 0, 0};
  p = plan(in);
  ASSERT_TRUE(p.console);
  EXPECT_EQ(p.console->kind, uint32_t(ConsoleKind::kNone));
}

TEST(Arm64Boot, MalformedDeviceTreeNamesTheFile) {
  auto in = inputs();
  in.dtb->data.resize(in.dtb->data.size() - 16);
  EXPECT_ERROR(plan(in), "virt.dtb: truncated device tree");
  in = inputs();
  in.dtb->data[fdt_off_dt_struct(in.dtb->data.data()) + 3] = 0x42;
  EXPECT_ERROR(plan(in), "virt.dtb: ");
}

TEST(Arm64Boot, NotEnoughRamSaysWhatAndByHowMuch) {
  auto in = inputs({}, 8 * kMiB);
  in.ram = {{kRamBase, 4 * kMiB}};
  EXPECT_ERROR(plan(in), "kernel: needs 0x800000 bytes aligned to 0x200000");
  EXPECT_ERROR(plan(in), "short by 0x400000");

  in = inputs({}, 11 * kMiB);
  in.ram = {{kRamBase, 12 * kMiB}};
  in.initrd->data = random_bytes(2 * kMiB, 5);
  const std::string msg = input_error([&] { plan(in); });
  EXPECT_NE(msg.find("initrd: needs"), std::string::npos) << msg;
  EXPECT_NE(msg.find("short by"), std::string::npos) << msg;
}

TEST(Arm64Boot, NextKernelReadsItBack) {
  for (int c : {1, 2}) {
    const auto in = inputs({.ac = c, .sc = c});
    const auto p = plan(in);
    const styx::host::ReadMemory read = [&](uint64_t addr, uint64_t size) {
      for (const auto& s : p.segments)
        if (addr >= s.addr && addr + size <= s.addr + s.data.size())
          return std::vector<uint8_t>(s.data.begin() + (addr - s.addr),
                                      s.data.begin() + (addr - s.addr + size));
      throw std::runtime_error("unmapped");
    };
    std::vector<uint64_t> regs;
    for (const auto& [name, value] : p.boot_args) regs.push_back(value);
    const auto next = arm64().read_next_kernel(read, regs);
    EXPECT_EQ(next.cmdline, in.cmdline);
    const auto& initrd = segment(p, Role::kInitrd);
    const auto& ima = segment(p, Role::kIma);
    EXPECT_EQ(next.initrd, (std::pair<uint64_t, uint64_t>{initrd.addr, initrd.data.size()}));
    EXPECT_EQ(next.ima, (std::pair<uint64_t, uint64_t>{ima.addr, ima.data.size()}));
    ASSERT_EQ(next.memory.size(), 1u);
    EXPECT_EQ(next.memory[0], (std::pair<uint64_t, uint64_t>{kRamBase, 256 * kMiB}));

    const std::vector<uint64_t> wrong = {segment(p, Role::kKernel).addr};
    EXPECT_THROW(arm64().read_next_kernel(read, wrong), std::runtime_error);
  }
}

TEST(Arm64Boot, BuilderAcceptsThePlan) {
  const auto p = plan(inputs());
  styx::host::BuildRequest req;
  req.arch = &arm64();
  styx::host::apply_boot_plan(p, req);
  const auto image = styx::host::build_image(req, styx::host::embedded_purgatory("arm64"));
  EXPECT_EQ(image.handoff.entry, p.entry);
  EXPECT_EQ(image.handoff.boot_args[0], segment(p, Role::kDtb).addr);
}

}  // namespace
