// SPDX-License-Identifier: GPL-2.0-only
// DeviceTree: checking blobs, the memory map, the console, and the kexec edits of /chosen.
#include "device-tree.h"

#include <gtest/gtest.h>
#include <libfdt.h>

#include <cstdint>
#include <initializer_list>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "error.h"
#include "file-io.h"

namespace {

using styx::Console;
using styx::ConsoleKind;
using styx::host::DeviceTree;
using styx::host::InputError;
using styx::host::MemRange;

constexpr uint64_t kMiB = 1 << 20;

std::vector<uint8_t> cells(std::initializer_list<uint32_t> words) {
  std::vector<uint8_t> out;
  for (uint32_t w : words)
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(w >> shift));
  return out;
}

// <addr size> pairs in the given cells.
std::vector<uint8_t> ranges(std::initializer_list<std::pair<uint64_t, uint64_t>> rs, int ac,
                            int sc) {
  std::vector<uint8_t> out;
  const auto put = [&](uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) {
      const auto w = cells({static_cast<uint32_t>(v >> (32 * i))});
      out.insert(out.end(), w.begin(), w.end());
    }
  };
  for (const auto& [a, s] : rs) {
    put(a, ac);
    put(s, sc);
  }
  return out;
}

// Builds a blob with libfdt's sequential-write API.
class TreeWriter {
 public:
  TreeWriter() : buf_(1 << 16) { ok(fdt_create(buf_.data(), static_cast<int>(buf_.size()))); }
  TreeWriter& memreserve(uint64_t addr, uint64_t size) {
    ok(fdt_add_reservemap_entry(fdt(), addr, size));
    return *this;
  }
  TreeWriter& begin(const char* name) {
    if (!map_done_) ok(fdt_finish_reservemap(fdt()));
    map_done_ = true;
    ok(fdt_begin_node(fdt(), name));
    return *this;
  }
  TreeWriter& end() {
    ok(fdt_end_node(fdt()));
    return *this;
  }
  TreeWriter& prop(const char* name, const std::vector<uint8_t>& value) {
    ok(fdt_property(fdt(), name, value.data(), static_cast<int>(value.size())));
    return *this;
  }
  TreeWriter& u32(const char* name, uint32_t v) { return prop(name, cells({v})); }
  TreeWriter& str(const char* name, const std::string& s) {
    std::vector<uint8_t> v(s.begin(), s.end());
    v.push_back(0);
    return prop(name, v);
  }
  std::vector<uint8_t> finish() {
    ok(fdt_finish(fdt()));
    buf_.resize(fdt_totalsize(fdt()));
    return buf_;
  }

 private:
  void* fdt() { return buf_.data(); }
  static void ok(int err) {
    if (err < 0) throw std::runtime_error(std::string("libfdt: ") + fdt_strerror(err));
  }
  std::vector<uint8_t> buf_;
  bool map_done_ = false;
};

struct VirtOptions {
  int ac = 2, sc = 2;
  bool stale = false;
  std::string stdout_path = "/pl011@9000000";
};

// A qemu-virt-like tree: 256 MiB at 0x40000000, a PL011, one /memreserve/, one
// /reserved-memory region, and optionally the /chosen leftovers of a previous kexec.
std::vector<uint8_t> virt_tree(const VirtOptions& o = {}) {
  TreeWriter w;
  w.memreserve(0x48000000, 0x10000);
  if (o.stale) {
    w.memreserve(0x44000000, 0x1234);  // the old initrd, exact
    w.memreserve(0x46000000, 0x3000);  // the old IMA buffer, page-rounded
  }
  w.begin("").u32("#address-cells", o.ac).u32("#size-cells", o.sc).str("model", "virt");
  w.begin("memory@40000000")
      .str("device_type", "memory")
      .prop("reg", ranges({{0x40000000, 256 * kMiB}}, o.ac, o.sc))
      .end();
  w.begin("pl011@9000000")
      .str("compatible", std::string("arm,pl011") + '\0' + "arm,primecell")
      .prop("reg", ranges({{0x09000000, 0x1000}}, o.ac, o.sc))
      .end();
  w.begin("reserved-memory")
      .u32("#address-cells", o.ac)
      .u32("#size-cells", o.sc)
      .prop("ranges", {});
  w.begin("secmon@4a000000")
      .prop("reg", ranges({{0x4a000000, 0x200000}}, o.ac, o.sc))
      .prop("no-map", {})
      .end();
  w.begin("linux,cma")
      .str("compatible", "shared-dma-pool")
      .prop("size", cells({0, 0x1000000}))
      .end();
  w.end();
  w.begin("chosen").str("stdout-path", o.stdout_path).str("bootargs", "old=1");
  if (o.stale) {
    w.prop("linux,initrd-start", cells({0x44000000}));  // 32-bit, as some firmware writes it
    w.prop("linux,initrd-end", cells({0, 0x44001234}));
    w.prop("linux,ima-kexec-buffer", ranges({{0x46000000, 0x2100}}, o.ac, o.sc));
    w.prop("linux,elfcorehdr", ranges({{0x47000000, 0x1000}}, o.ac, o.sc));
    w.prop("kaslr-seed", cells({0xdeadbeef, 0xdeadbeef}));
    w.prop("rng-seed", std::vector<uint8_t>(64, 0xaa));
  }
  w.end();
  w.end();
  return w.finish();
}

bool has(const std::vector<MemRange>& rs, uint64_t start, uint64_t size) {
  for (const auto& r : rs)
    if (r.start == start && r.size == size) return true;
  return false;
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

TEST(Fdt, ReadsCellsMemoryAndReservations) {
  for (int c : {1, 2}) {
    const DeviceTree dt(virt_tree({.ac = c, .sc = c}), "virt.dtb");
    EXPECT_EQ(dt.address_cells(), uint32_t(c));
    EXPECT_EQ(dt.size_cells(), uint32_t(c));
    const auto mem = dt.memory();
    ASSERT_EQ(mem.size(), 1u);
    EXPECT_EQ(mem[0].start, 0x40000000u);
    EXPECT_EQ(mem[0].size, 256 * kMiB);
    const auto rsv = dt.memreserve();
    ASSERT_EQ(rsv.size(), 1u);
    EXPECT_EQ(rsv[0].start, 0x48000000u);
    // The dynamically placed CMA pool has no reg and is left to the kernel.
    const auto rmem = dt.reserved_memory();
    ASSERT_EQ(rmem.size(), 1u);
    EXPECT_EQ(rmem[0].start, 0x4a000000u);
    EXPECT_EQ(dt.reservations().size(), 2u);
  }
}

TEST(Fdt, UsableMemoryOverridesRegAndDisabledNodesAreSkipped) {
  TreeWriter w;
  w.begin("").u32("#address-cells", 2).u32("#size-cells", 2);
  w.begin("memory@80000000")
      .str("device_type", "memory")
      .prop("reg", ranges({{0x80000000, 0x40000000}}, 2, 2))
      .prop("linux,usable-memory", ranges({{0x90000000, 0x1000000}, {0xa0000000, 0}}, 2, 2))
      .end();
  w.begin("memory@40000000")
      .str("device_type", "memory")
      .prop("reg", ranges({{0x40000000, 0x1000000}}, 2, 2))
      .end();
  w.begin("memory@c0000000")
      .str("device_type", "memory")
      .str("status", "disabled")
      .prop("reg", ranges({{0xc0000000, 0x1000000}}, 2, 2))
      .end();
  // Not memory to Linux without device_type.
  w.begin("memory@d0000000").prop("reg", ranges({{0xd0000000, 0x1000000}}, 2, 2)).end();
  w.end();
  const auto mem = DeviceTree(w.finish(), "t.dtb").memory();
  ASSERT_EQ(mem.size(), 2u);
  EXPECT_EQ(mem[0].start, 0x40000000u);
  EXPECT_EQ(mem[1].start, 0x90000000u);
  EXPECT_EQ(mem[1].size, 0x1000000u);
}

TEST(Fdt, MissingCellsDefaultToOneAsLinuxReadsThem) {
  TreeWriter w;
  w.begin("");
  w.begin("memory").str("device_type", "memory").prop("reg", cells({0x40000000, 0x1000000})).end();
  w.end();
  const DeviceTree dt(w.finish(), "t.dtb");
  EXPECT_EQ(dt.address_cells(), 1u);
  const auto mem = dt.memory();
  ASSERT_EQ(mem.size(), 1u);
  EXPECT_EQ(mem[0].size, 0x1000000u);
}

TEST(Fdt, RefusesBrokenBlobsNamingTheFile) {
  const auto good = virt_tree();
  EXPECT_NE(input_error([&] {
              DeviceTree(std::span(good).first(20), "cut.dtb");
            }).find("cut.dtb: truncated"),
            std::string::npos);
  EXPECT_NE(input_error([&] {
              DeviceTree(std::span(good).first(good.size() - 8), "short.dtb");
            }).find("short.dtb: truncated"),
            std::string::npos);
  auto bad_magic = good;
  bad_magic[0] = 0;
  EXPECT_NE(input_error([&] { DeviceTree(bad_magic, "x.dtb"); }).find("x.dtb: not a device tree"),
            std::string::npos);
  // A token in the structure block that is none of libfdt's.
  auto bad_struct = good;
  const uint32_t off = fdt_off_dt_struct(good.data());
  bad_struct[off + 3] = 0x7f;
  EXPECT_NE(input_error([&] { DeviceTree(bad_struct, "y.dtb"); }).find("y.dtb: "),
            std::string::npos);
  // A property name pointing beyond the strings block.
  auto bad_name = good;
  const int root_prop = fdt_first_property_offset(good.data(), 0);
  ASSERT_GE(root_prop, 0);
  const size_t nameoff = off + root_prop + 8;
  bad_name[nameoff] = 0x7f;
  const std::string msg = input_error([&] { DeviceTree(bad_name, "z.dtb"); });
  EXPECT_NE(msg.find("z.dtb: malformed device tree"), std::string::npos) << msg;
}

TEST(Fdt, ChosenEncodingWithOneAndTwoCells) {
  for (int c : {1, 2}) {
    DeviceTree dt(virt_tree({.ac = c, .sc = c}), "virt.dtb");
    dt.set_initrd(0x41000000, 0x2345);
    dt.set_ima_buffer(0x42000000, 0x1800);
    dt.set_bootargs("console=ttyAMA0");
    const DeviceTree out(dt.pack(), "packed");
    EXPECT_EQ(out.property("/chosen", "linux,initrd-start"), cells({0, 0x41000000}));
    EXPECT_EQ(out.property("/chosen", "linux,initrd-end"), cells({0, 0x41002345}));
    EXPECT_EQ(out.property("/chosen", "linux,ima-kexec-buffer"),
              c == 1 ? cells({0x42000000, 0x1800}) : cells({0, 0x42000000, 0, 0x1800}));
    EXPECT_EQ(out.string_property("/chosen", "bootargs"), "console=ttyAMA0");
    const auto rsv = out.memreserve();
    EXPECT_TRUE(has(rsv, 0x41000000, 0x2345));  // the initrd, as Linux's kexec reserves it
    EXPECT_TRUE(has(rsv, 0x42000000, 0x2000));  // the IMA buffer, whole pages
    EXPECT_TRUE(has(rsv, 0x48000000, 0x10000));
  }
}

TEST(Fdt, OneCellCannotHoldAHighAddress) {
  DeviceTree dt(virt_tree({.ac = 1, .sc = 1}), "virt.dtb");
  const std::string msg = input_error([&] { dt.set_ima_buffer(0x100000000, 0x1000); });
  EXPECT_NE(msg.find("virt.dtb: 0x100000000+0x1000 does not fit"), std::string::npos) << msg;
}

// Found by fuzz-device-tree: a huge cell count once meant writing that many cells.
// Found by fuzzing: a version 14 header made libfdt's full check read a null property name.
TEST(Fdt, RefusesVersionsBefore17) {
  auto old = virt_tree();
  fdt_set_version(old.data(), 14);
  fdt_set_last_comp_version(old.data(), 2);
  EXPECT_EQ(input_error([&] { DeviceTree(old, "old.dtb"); }),
            "old.dtb: device tree version 14 is older than 17, the oldest this reads");
  const auto crash =
      styx::host::read_file(STYX_TEST_DATA "/../fuzz/corpus/device-tree/version-14-null-name");
  EXPECT_NE(input_error([&] { DeviceTree(crash, "fuzz.dtb"); }).find("older than 17"),
            std::string::npos);
  EXPECT_EQ(input_error([&] { DeviceTree(virt_tree(), "v17.dtb"); }), "(no InputError)");
}

TEST(Fdt, RefusesMoreCellsThanADeviceTreeAllows) {
  for (const auto& [ac, sc] : {std::pair{0x40000000u, 2u}, {2u, 0xffffffffu}, {5u, 1u}}) {
    TreeWriter w;
    w.begin("").u32("#address-cells", ac).u32("#size-cells", sc).end();
    DeviceTree huge(w.finish(), "huge.dtb");
    const std::string msg = input_error([&] { huge.set_ima_buffer(0x40000000, 0x1000); });
    EXPECT_NE(msg.find("huge.dtb: root #address-cells " + std::to_string(ac)), std::string::npos)
        << msg;
    EXPECT_NE(msg.find("more than 4"), std::string::npos) << msg;
  }
}

TEST(Fdt, CreatesChosenWhenMissing) {
  TreeWriter w;
  w.begin("").u32("#address-cells", 2).u32("#size-cells", 2).end();
  DeviceTree dt(w.finish(), "t.dtb");
  dt.remove_stale_kexec_state();
  dt.set_bootargs("quiet");
  EXPECT_EQ(DeviceTree(dt.pack(), "p").string_property("/chosen", "bootargs"), "quiet");
}

TEST(Fdt, RemovesStaleKexecStateAndItsReservations) {
  for (int c : {1, 2}) {
    DeviceTree dt(virt_tree({.ac = c, .sc = c, .stale = true}), "live.dtb");
    ASSERT_EQ(dt.memreserve().size(), 3u);
    dt.remove_stale_kexec_state();
    for (const char* p :
         {"linux,initrd-start", "linux,initrd-end", "linux,ima-kexec-buffer", "linux,elfcorehdr"})
      EXPECT_FALSE(dt.property("/chosen", p)) << p;
    const auto rsv = dt.memreserve();
    ASSERT_EQ(rsv.size(), 1u);
    EXPECT_EQ(rsv[0].start, 0x48000000u);
    EXPECT_EQ(dt.string_property("/chosen", "bootargs"), "old=1");
  }
}

TEST(Fdt, SeedsAreFreshEachTime) {
  std::vector<std::vector<uint8_t>> kaslr, rng;
  for (int i = 0; i < 2; ++i) {
    DeviceTree dt(virt_tree({.stale = true}), "live.dtb");
    dt.refresh_seeds();
    const DeviceTree out(dt.pack(), "p");
    kaslr.push_back(out.property("/chosen", "kaslr-seed").value());
    rng.push_back(out.property("/chosen", "rng-seed").value());
    EXPECT_EQ(kaslr.back().size(), 8u);
    EXPECT_EQ(rng.back().size(), styx::host::kRngSeedSize);
    EXPECT_NE(kaslr.back(), cells({0xdeadbeef, 0xdeadbeef}));
  }
  EXPECT_NE(kaslr[0], kaslr[1]);
  EXPECT_NE(rng[0], rng[1]);
}

TEST(Fdt, GrowsForLargeEditsAndPacksTight) {
  const auto blob = virt_tree();
  DeviceTree dt(blob, "virt.dtb");
  const std::vector<uint8_t> big(200000, 0x5a);
  dt.set_property("/chosen", "big", big);
  dt.set_property("/new-node/child", "x", cells({7}));
  const auto packed = dt.pack();
  EXPECT_LT(packed.size(), blob.size() + big.size() + 256);
  const DeviceTree out(packed, "p");
  EXPECT_EQ(out.property("/chosen", "big"), big);
  EXPECT_EQ(out.property("/new-node/child", "x"), cells({7}));
}

std::optional<Console> console_of(const std::vector<uint8_t>& blob) {
  return DeviceTree(blob, "t.dtb").stdout_console();
}

TEST(Fdt, ConsoleFromStdoutPath) {
  auto c = console_of(virt_tree({.stdout_path = "/pl011@9000000:115200n8"}));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->kind, uint32_t(ConsoleKind::kPl011));
  EXPECT_EQ(c->base, 0x09000000u);
  EXPECT_FALSE(console_of(virt_tree({.stdout_path = "/nowhere"})));
}

std::vector<uint8_t> uart_tree(const std::string& compatible, std::optional<uint32_t> shift,
                               std::optional<uint32_t> width, const std::string& stdout_path) {
  TreeWriter w;
  w.begin("").u32("#address-cells", 2).u32("#size-cells", 2);
  w.begin("aliases").str("serial0", "/soc/serial@10000000").end();
  // The bus puts its child address 0x10000000 at CPU address 0x2_1000_0000.
  w.begin("soc").u32("#address-cells", 1).u32("#size-cells", 1);
  w.prop("ranges", cells({0x10000000, 0x2, 0x10000000, 0x01000000}));
  w.begin("serial@10000000").str("compatible", compatible).prop("reg", cells({0x10000000, 0x100}));
  if (shift) w.u32("reg-shift", *shift);
  if (width) w.u32("reg-io-width", *width);
  w.end().end();
  w.begin("chosen").str("stdout-path", stdout_path).end();
  w.end();
  return w.finish();
}

TEST(Fdt, Ns16550ConsoleThroughAliasAndRanges) {
  auto c = console_of(uart_tree("ns16550a", 2, std::nullopt, "serial0:115200n8"));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->kind, uint32_t(ConsoleKind::kUart8250Mmio32));
  EXPECT_EQ(c->base, 0x210000000u);

  c = console_of(uart_tree("ns16550a", std::nullopt, std::nullopt, "/soc/serial@10000000"));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->kind, uint32_t(ConsoleKind::kUart8250Mmio));

  c = console_of(uart_tree("snps,dw-apb-uart", std::nullopt, 4, "serial0"));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->kind, uint32_t(ConsoleKind::kUart8250Mmio32));

  EXPECT_FALSE(console_of(uart_tree("ns16550a", 1, std::nullopt, "serial0")));
  EXPECT_FALSE(console_of(uart_tree("vendor,other-uart", std::nullopt, std::nullopt, "serial0")));
}

TEST(Fdt, SubtractAndWholePages) {
  using styx::host::subtract_ranges;
  using styx::host::whole_pages;
  const auto free =
      subtract_ranges({{0x1000, 0x10000}}, {{0x3000, 0x1000}, {0x0, 0x1800}, {0x10800, 0x1000}});
  ASSERT_EQ(free.size(), 2u);
  EXPECT_EQ(free[0].start, 0x1800u);
  EXPECT_EQ(free[0].size, 0x1800u);
  EXPECT_EQ(free[1].start, 0x4000u);
  EXPECT_EQ(free[1].end(), 0x10800u);

  const auto pages =
      whole_pages({{0x4f00, 0x1100}, {0x1100, 0x2000}, {0x2000, 0x2f00}, {0x8800, 0x800}}, 0x1000);
  ASSERT_EQ(pages.size(), 1u);
  EXPECT_EQ(pages[0].start, 0x2000u);
  EXPECT_EQ(pages[0].end(), 0x6000u);
}

TEST(Fdt, ReadNextKernelFromMemory) {
  DeviceTree dt(virt_tree({.ac = 1, .sc = 1}), "virt.dtb");
  dt.remove_stale_kexec_state();
  dt.set_bootargs("root=/dev/vda");
  dt.set_initrd(0x41000000, 0x5000);
  dt.set_ima_buffer(0x42000000, 0x1234);
  const auto blob = dt.pack();
  const uint64_t at = 0x4c000000;
  const styx::host::ReadMemory read = [&](uint64_t addr, uint64_t size) {
    if (addr < at || addr + size > at + blob.size()) throw std::runtime_error("unreadable");
    return std::vector<uint8_t>(blob.begin() + (addr - at), blob.begin() + (addr - at + size));
  };
  const auto next = styx::host::read_next_kernel_from_fdt(read, at);
  EXPECT_EQ(next.cmdline, "root=/dev/vda");
  EXPECT_EQ(next.initrd, (std::pair<uint64_t, uint64_t>{0x41000000, 0x5000}));
  EXPECT_EQ(next.ima, (std::pair<uint64_t, uint64_t>{0x42000000, 0x1234}));
  ASSERT_EQ(next.memory.size(), 1u);
  EXPECT_EQ(next.memory[0], (std::pair<uint64_t, uint64_t>{0x40000000, 256 * kMiB}));

  EXPECT_THROW(styx::host::read_next_kernel_from_fdt(read, at + 4), std::runtime_error);
}

}  // namespace
