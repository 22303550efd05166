// SPDX-License-Identifier: GPL-2.0-only
// The x86_64 boot protocol on the host: bzImage header parsing, where a plan puts things, the
// boot_params it writes, the SETUP_IMA node, and reading it all back as the next kernel would.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "../../arch/x86_64/host/boot-params.h"
#include "../../arch/x86_64/host/bzimage.h"
#include "arch-info.h"
#include "boot-plan-test-util.h"
#include "boot.h"
#include "builder.h"
#include "embedded-purgatory.h"
#include "error.h"

namespace {

using styx::Role;
using styx::host::BootInputs;
using styx::host::BootPlan;
using styx::host::InputError;
using styx::host::MemRange;
using styx::host::NextKernel;
using styx::host::SegmentInput;
namespace x86 = styx::host::x86;

constexpr uint64_t kKiB = 1 << 10;
constexpr uint64_t kMiB = 1 << 20;
constexpr uint64_t kGiB = uint64_t{1} << 30;

const styx::host::ArchInfo& arch() {
  return *styx::host::find_arch("x86_64");
}

void put(std::vector<uint8_t>& out, size_t offset, uint64_t value, size_t width) {
  for (size_t i = 0; i < width; ++i) out[offset + i] = static_cast<uint8_t>(value >> (8 * i));
}

uint64_t get(const std::vector<uint8_t>& in, size_t offset, size_t width) {
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i) v |= uint64_t{in.at(offset + i)} << (8 * i);
  return v;
}

// What a synthetic bzImage says about itself; the defaults follow a Debian 6.1 kernel, with a
// smaller init_size so that tests need little RAM.
struct KernelSpec {
  uint8_t setup_sects = 4;
  uint16_t version = 0x020f;
  uint8_t loadflags = x86::kLoadedHigh;
  uint32_t initrd_addr_max = 0x7fffffff;
  uint32_t kernel_alignment = 2 * kMiB;
  uint8_t relocatable = 1;
  uint8_t min_alignment = 21;
  uint16_t xloadflags = x86::kXlfKernel64 | x86::kXlfCanBeLoadedAbove4G;
  uint32_t cmdline_size = 2047;
  uint64_t pref_address = 16 * kMiB;
  uint32_t init_size = 8 * kMiB;
  size_t pm_size = 64 * kKiB;
};

constexpr size_t kHeaderEnd = 0x26c;

std::vector<uint8_t> make_bzimage(const KernelSpec& k) {
  const size_t setup = (size_t{k.setup_sects ? k.setup_sects : 4u} + 1) * 512;
  std::vector<uint8_t> f(setup + k.pm_size, 0);
  for (size_t i = setup; i < f.size(); ++i) f[i] = static_cast<uint8_t>(i * 131 + 7);
  put(f, 0x1f1, k.setup_sects, 1);
  put(f, 0x1f4, (k.pm_size + 15) / 16, 4);
  put(f, 0x1fa, 0xffff, 2);  // vid_mode "normal", so that the header copy has a non-zero field
  put(f, 0x1fe, 0xaa55, 2);
  put(f, 0x200, 0xeb, 1);
  put(f, 0x201, kHeaderEnd - 0x202, 1);
  put(f, 0x202, 0x53726448, 4);
  put(f, 0x206, k.version, 2);
  put(f, 0x211, k.loadflags, 1);
  put(f, 0x22c, k.initrd_addr_max, 4);
  put(f, 0x230, k.kernel_alignment, 4);
  put(f, 0x234, k.relocatable, 1);
  put(f, 0x235, k.min_alignment, 1);
  put(f, 0x236, k.xloadflags, 2);
  put(f, 0x238, k.cmdline_size, 4);
  put(f, 0x248, 0x100, 4);
  put(f, 0x24c, k.pm_size - 0x200, 4);
  put(f, 0x258, k.pref_address, 8);
  put(f, 0x260, k.init_size, 4);
  put(f, 0x264, 0x190, 4);  // handover_offset: copied, never interpreted
  return f;
}

std::vector<uint8_t> pattern(size_t size, uint8_t seed) {
  std::vector<uint8_t> out(size);
  for (size_t i = 0; i < size; ++i) out[i] = static_cast<uint8_t>(i * 31 + seed);
  return out;
}

// An IMA kexec buffer: ima_kexec_hdr (version 1, buffer_size including the header, count 0)
// and padding; only its bytes matter here.
std::vector<uint8_t> ima_buffer(size_t size) {
  std::vector<uint8_t> out(size, 0);
  put(out, 0, 1, 2);
  put(out, 8, size, 8);
  return out;
}

// The low 640 KiB as a PC has it, and RAM from 1 MiB up to `top`.
std::vector<MemRange> pc_ram(uint64_t top = 256 * kMiB) {
  return {{0, 0x9f000}, {kMiB, top - kMiB}};
}

BootInputs inputs(const KernelSpec& k = {}) {
  BootInputs in;
  in.kernel = {"vmlinuz", make_bzimage(k)};
  in.cmdline = "console=ttyS0,115200 root=/dev/ram0";
  in.ram = pc_ram();
  return in;
}

BootPlan plan(const BootInputs& in) {
  return arch().plan_boot(in);
}

std::string plan_error(const BootInputs& in) {
  try {
    plan(in);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

std::string parse_error(const std::vector<uint8_t>& file) {
  try {
    x86::parse_bzimage(file, "vmlinuz");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

#define EXPECT_CONTAINS(text, part) EXPECT_NE((text).find(part), std::string::npos) << (text)

using styx::test::segment;

// Physical memory as the plan leaves it: RAM reads as zeros except where a segment was loaded.
class Memory {
 public:
  explicit Memory(const BootPlan& p) : ram_(p.ram), segments_(p.segments) {}

  std::vector<uint8_t> read(uint64_t addr, uint64_t size) const {
    const bool in_ram = std::any_of(ram_.begin(), ram_.end(), [&](const MemRange& r) {
      return addr >= r.start && addr + size <= r.end();
    });
    if (!in_ram) throw std::runtime_error("read outside RAM");
    std::vector<uint8_t> out(size, 0);
    for (const SegmentInput& s : segments_) {
      const uint64_t lo = std::max(addr, s.addr);
      const uint64_t hi = std::min(addr + size, s.addr + s.data.size());
      for (uint64_t a = lo; a < hi; ++a) out[a - addr] = s.data[a - s.addr];
    }
    return out;
  }
  void write(uint64_t addr, const std::vector<uint8_t>& bytes) {
    segments_.push_back({Role::kData, "patch", addr, bytes});
  }
  styx::host::ReadMemory reader() const {
    return [this](uint64_t addr, uint64_t size) { return read(addr, size); };
  }

 private:
  std::vector<MemRange> ram_;
  std::vector<SegmentInput> segments_;
};

NextKernel read_back(const BootPlan& p) {
  const Memory memory(p);
  const uint64_t rsi = p.boot_args.at(0).second;
  return arch().read_next_kernel(memory.reader(), std::span<const uint64_t>(&rsi, 1));
}

TEST(X86Boot, ArchTableOffersTheBootProtocol) {
  EXPECT_NE(arch().plan_boot, nullptr);
  EXPECT_NE(arch().read_next_kernel, nullptr);
}

TEST(X86Boot, ParsesTheSetupHeader) {
  KernelSpec k;
  k.setup_sects = 7;
  const std::vector<uint8_t> file = make_bzimage(k);
  const x86::BzImage image = x86::parse_bzimage(file, "vmlinuz");
  EXPECT_EQ(image.header.version, 0x020f);
  EXPECT_EQ(image.header.setup_sects, 7);
  EXPECT_EQ(image.header.kernel_alignment, 2 * kMiB);
  EXPECT_TRUE(image.header.relocatable);
  EXPECT_EQ(image.header.min_alignment, 21);
  EXPECT_EQ(image.header.xloadflags, x86::kXlfKernel64 | x86::kXlfCanBeLoadedAbove4G);
  EXPECT_EQ(image.header.cmdline_size, 2047u);
  EXPECT_EQ(image.header.initrd_addr_max, 0x7fffffffu);
  EXPECT_EQ(image.header.pref_address, 16 * kMiB);
  EXPECT_EQ(image.header.init_size, 8 * kMiB);
  EXPECT_EQ(image.header_bytes.data(), file.data() + 0x1f1);
  EXPECT_EQ(image.header_bytes.size(), kHeaderEnd - 0x1f1);
  EXPECT_EQ(image.protected_mode.data(), file.data() + 8 * 512);
  EXPECT_EQ(image.protected_mode.size(), k.pm_size);
}

TEST(X86Boot, ZeroSetupSectsMeansFour) {
  KernelSpec k;
  k.setup_sects = 0;
  const std::vector<uint8_t> file = make_bzimage(k);
  const x86::BzImage image = x86::parse_bzimage(file, "vmlinuz");
  EXPECT_EQ(image.protected_mode.data(), file.data() + 5 * 512);
}

TEST(X86Boot, RefusesWhatIsNotABzImage) {
  EXPECT_CONTAINS(parse_error(pattern(8192, 3)), "vmlinuz: not a bzImage");
  EXPECT_CONTAINS(parse_error(pattern(100, 3)), "vmlinuz: not a bzImage");
  std::vector<uint8_t> no_boot_flag = make_bzimage({});
  put(no_boot_flag, 0x1fe, 0, 2);
  EXPECT_CONTAINS(parse_error(no_boot_flag), "vmlinuz: not a bzImage");
  std::vector<uint8_t> no_magic = make_bzimage({});
  put(no_magic, 0x202, 0x53726449, 4);
  EXPECT_CONTAINS(parse_error(no_magic), "vmlinuz: not a bzImage");
  KernelSpec zimage;
  zimage.loadflags = 0;
  EXPECT_CONTAINS(parse_error(make_bzimage(zimage)), "vmlinuz: not a bzImage");
}

TEST(X86Boot, RefusesAKernelWithout64BitEntry) {
  KernelSpec k;
  k.xloadflags = x86::kXlfCanBeLoadedAbove4G;
  const std::string error = parse_error(make_bzimage(k));
  EXPECT_CONTAINS(error, "vmlinuz: ");
  EXPECT_CONTAINS(error, "XLF_KERNEL_64");
}

TEST(X86Boot, RefusesBootProtocol211) {
  KernelSpec k;
  k.version = 0x020b;
  const std::string error = parse_error(make_bzimage(k));
  EXPECT_CONTAINS(error, "vmlinuz: boot protocol 2.11");
  k.version = 0x020c;
  EXPECT_EQ(parse_error(make_bzimage(k)), "");
}

TEST(X86Boot, RefusesTruncatedKernels) {
  const std::vector<uint8_t> whole = make_bzimage({});
  // Setup sectors beyond the end of the file.
  std::vector<uint8_t> sects = whole;
  put(sects, 0x1f1, 200, 1);
  EXPECT_CONTAINS(parse_error(sects), "vmlinuz: truncated");
  // Cut inside the protected-mode code.
  const std::vector<uint8_t> cut(whole.begin(), whole.end() - 4096);
  EXPECT_CONTAINS(parse_error(cut), "vmlinuz: truncated");
  // Cut inside the setup header.
  const std::vector<uint8_t> header(whole.begin(), whole.begin() + 0x240);
  EXPECT_CONTAINS(parse_error(header), "vmlinuz: truncated");
  // Cut right after the setup code.
  const std::vector<uint8_t> setup_only(whole.begin(), whole.begin() + 5 * 512);
  EXPECT_CONTAINS(parse_error(setup_only), "vmlinuz: truncated");
}

TEST(X86Boot, KernelGoesToPrefAddressWhenFree) {
  const BootPlan p = plan(inputs());
  const SegmentInput& kernel = segment(p, Role::kKernel);
  EXPECT_EQ(kernel.addr, 16 * kMiB);
  EXPECT_EQ(kernel.data.size(), 64 * kKiB);  // the file part, not init_size
  EXPECT_EQ(p.entry, 16 * kMiB + 0x200);
  EXPECT_EQ(kernel.name, "vmlinuz");
}

TEST(X86Boot, KernelTakesTheLowestAlignedFitAbovePrefAddress) {
  BootInputs in = inputs();
  // 20 MiB below pref_address would hold the kernel, but it would move itself to pref_address;
  // above it, RAM starts just past 25 MiB.
  in.ram = {{kMiB, 20 * kMiB}, {25 * kMiB + 4 * kKiB, 512 * kMiB}};
  const BootPlan p = plan(in);
  EXPECT_EQ(segment(p, Role::kKernel).addr, 26 * kMiB);
  EXPECT_EQ(p.entry, 26 * kMiB + 0x200);
}

TEST(X86Boot, KernelReservesInitSize) {
  KernelSpec k;
  BootInputs in = inputs(k);
  in.initrd = {"initrd.img", pattern(300 * kKiB, 5)};
  in.ima = {"ima", ima_buffer(8 * kKiB)};
  // Exactly init_size above pref_address: everything else must go below it.
  in.ram = {{kMiB, 16 * kMiB + k.init_size - kMiB}};
  const BootPlan p = plan(in);
  const uint64_t load = segment(p, Role::kKernel).addr;
  ASSERT_EQ(load, 16 * kMiB);
  for (const SegmentInput& s : p.segments) {
    if (s.role == Role::kKernel) continue;
    EXPECT_TRUE(s.addr + s.data.size() <= load || s.addr >= load + k.init_size) << s.name;
  }
  // The rest of init_size belongs to the kernel segment, so kexec keeps its own pages out too.
  EXPECT_EQ(segment(p, Role::kKernel).data.size(), k.pm_size);
  EXPECT_EQ(segment(p, Role::kKernel).reserve, k.init_size - k.pm_size);

  in.ram = {{kMiB, 16 * kMiB + k.init_size - kMiB - 4 * kKiB}};
  const std::string error = plan_error(in);
  EXPECT_CONTAINS(error, "kernel: needs 0x800000 bytes");
  EXPECT_CONTAINS(error, "short by 0x1000");
}

TEST(X86Boot, KernelFallsBackTowardsMinAlignment) {
  KernelSpec k;
  k.kernel_alignment = 16 * kMiB;
  k.min_alignment = 21;
  k.pref_address = 18 * kMiB;
  BootInputs in = inputs(k);
  // Only 18..26 MiB fits above pref_address: 16, 8 and 4 MiB alignment all miss it.
  in.ram = {{kMiB, 25 * kMiB}};
  const BootPlan p = plan(in);
  EXPECT_EQ(segment(p, Role::kKernel).addr, 18 * kMiB);
  EXPECT_EQ(get(segment(p, Role::kBootParams).data, 0x230, 4), 2 * kMiB);

  k.min_alignment = 23;  // 8 MiB at least: no fit
  in.kernel.data = make_bzimage(k);
  const std::string error = plan_error(in);
  EXPECT_CONTAINS(error, "kernel: needs");
  EXPECT_CONTAINS(error, "aligned to 0x800000");
}

TEST(X86Boot, NonRelocatableKernelGoesOnlyToPrefAddress) {
  KernelSpec k;
  k.relocatable = 0;
  BootInputs in = inputs(k);
  EXPECT_EQ(segment(plan(in), Role::kKernel).addr, 16 * kMiB);
  in.ram = {{kMiB, 15 * kMiB}, {17 * kMiB, 512 * kMiB}};
  const std::string error = plan_error(in);
  EXPECT_CONTAINS(error, "kernel: not relocatable");
  EXPECT_CONTAINS(error, "0x1000000");
}

TEST(X86Boot, NothingGoesBelowOneMiB) {
  BootInputs in = inputs();
  in.initrd = {"initrd.img", pattern(100 * kKiB, 5)};
  in.ima = {"ima", ima_buffer(4 * kKiB)};
  in.ram = {{0, 0x9f000}, {kMiB, 28 * kMiB}};
  const BootPlan p = plan(in);
  for (const SegmentInput& s : p.segments) EXPECT_GE(s.addr, kMiB) << s.name;
  // ... but the kernel is told about that RAM.
  const NextKernel next = read_back(p);
  ASSERT_FALSE(next.memory.empty());
  EXPECT_EQ(next.memory[0], std::make_pair(uint64_t{0}, uint64_t{0x9f000}));
}

TEST(X86Boot, BootParamsCarryTheLoaderFields) {
  BootInputs in = inputs();
  in.initrd = {"initrd.img", pattern(100000, 9)};
  in.ram = {{0, 0x9f000}, {kMiB, kGiB - kMiB}, {4 * kGiB, kGiB}};
  const BootPlan p = plan(in);
  const SegmentInput& bp = segment(p, Role::kBootParams);
  const std::vector<uint8_t>& d = bp.data;
  ASSERT_EQ(d.size(), 4096 + in.cmdline.size() + 1);
  EXPECT_EQ(bp.addr % 4096, 0u);
  EXPECT_LE(bp.addr + d.size(), 4 * kGiB);
  EXPECT_EQ(p.boot_args, (std::vector<std::pair<std::string, uint64_t>>{{"rsi", bp.addr}}));

  EXPECT_EQ(d[0x210], 0xff);  // type_of_loader
  EXPECT_EQ(get(d, 0x228, 4) | get(d, 0x0c8, 4) << 32, bp.addr + 4096);
  EXPECT_EQ(std::string(d.begin() + 4096, d.end() - 1), in.cmdline);
  EXPECT_EQ(d.back(), 0);

  // XLF_CAN_BE_LOADED_ABOVE_4G: the initrd goes to the top of RAM, above 4 GiB.
  const SegmentInput& initrd = segment(p, Role::kInitrd);
  EXPECT_GE(initrd.addr, 4 * kGiB);
  EXPECT_EQ(initrd.addr % 4096, 0u);
  EXPECT_EQ(get(d, 0x218, 4), initrd.addr & 0xffffffff);
  EXPECT_EQ(get(d, 0x0c0, 4), initrd.addr >> 32);
  EXPECT_EQ(get(d, 0x21c, 4), 100000u);
  EXPECT_EQ(get(d, 0x0c4, 4), 0u);

  ASSERT_EQ(d[0x1e8], 3);
  const uint64_t expected[3][2] = {{0, 0x9f000}, {kMiB, kGiB - kMiB}, {4 * kGiB, kGiB}};
  for (size_t i = 0; i < 3; ++i) {
    const size_t at = 0x2d0 + 20 * i;
    EXPECT_EQ(get(d, at, 8), expected[i][0]);
    EXPECT_EQ(get(d, at + 8, 8), expected[i][1]);
    EXPECT_EQ(get(d, at + 16, 4), 1u);
  }
  EXPECT_EQ(get(d, 0x250, 8), 0u);  // no setup_data without IMA

  // The setup header is the kernel's, apart from the fields a loader writes.
  const std::vector<uint8_t>& file = in.kernel.data;
  for (size_t i = 0x1f1; i < kHeaderEnd; ++i) {
    const bool written = i == 0x210 || (i >= 0x214 && i < 0x220) || (i >= 0x228 && i < 0x22c) ||
                         (i >= 0x250 && i < 0x258);
    if (!written) {
      EXPECT_EQ(d[i], file[i]) << "offset " << i;
    }
  }
  // ... and nothing outside it comes from the file.
  EXPECT_EQ(d[0x1ef], 0);                  // sentinel
  EXPECT_EQ(get(d, 0x214, 4), 16 * kMiB);  // code32_start
}

TEST(X86Boot, InitrdRespectsInitrdAddrMaxWithout4GFlag) {
  KernelSpec k;
  k.xloadflags = x86::kXlfKernel64;
  BootInputs in = inputs(k);
  in.initrd = {"initrd.img", pattern(100000, 9)};
  in.ima = {"ima", ima_buffer(4096)};
  in.ram = {{kMiB, 4 * kGiB - kMiB}, {4 * kGiB, kGiB}};
  const BootPlan p = plan(in);
  const SegmentInput& initrd = segment(p, Role::kInitrd);
  EXPECT_LE(initrd.addr + initrd.data.size(), 0x80000000u);
  EXPECT_GT(initrd.addr, 0x7f000000u);  // high below the limit
  EXPECT_EQ(get(segment(p, Role::kBootParams).data, 0x0c0, 4), 0u);
  const SegmentInput& ima = segment(p, Role::kIma);
  EXPECT_LE(ima.addr + ima.data.size(), 4 * kGiB);
}

TEST(X86Boot, RefusesACommandLineLongerThanCmdlineSize) {
  KernelSpec k;
  k.cmdline_size = 255;
  BootInputs in = inputs(k);
  in.cmdline = std::string(255, 'x');
  EXPECT_EQ(plan_error(in), "");
  in.cmdline = std::string(256, 'x');
  const std::string error = plan_error(in);
  EXPECT_CONTAINS(error, "command line: 256 bytes");
  EXPECT_CONTAINS(error, "at most 255 (cmdline_size)");
}

TEST(X86Boot, ImaBufferLivesInsideItsSetupDataNode) {
  BootInputs in = inputs();
  in.ima = {"ima-list", ima_buffer(10000)};
  const BootPlan p = plan(in);
  const SegmentInput& node = segment(p, Role::kData);
  const SegmentInput& ima = segment(p, Role::kIma);
  EXPECT_EQ(node.addr % 4096, 0u);
  ASSERT_EQ(node.data.size(), 32u);
  EXPECT_EQ(ima.addr, node.addr + 32);  // contiguous: one node for the kernel
  EXPECT_EQ(ima.data, in.ima->data);
  EXPECT_EQ(ima.name, "ima-list");
  EXPECT_EQ(get(node.data, 0, 8), 0u);  // next: the last node
  EXPECT_EQ(get(node.data, 8, 4), 8u);  // SETUP_IMA
  EXPECT_EQ(get(node.data, 12, 4), 16u + 10000u);
  EXPECT_EQ(get(node.data, 16, 8), node.addr + 32);
  EXPECT_EQ(get(node.data, 24, 8), 10000u);
  EXPECT_EQ(get(segment(p, Role::kBootParams).data, 0x250, 8), node.addr);
}

TEST(X86Boot, NextKernelSeesExactlyTheInputs) {
  BootInputs in = inputs();
  in.initrd = {"initrd.img", pattern(123457, 1)};
  in.ima = {"ima", ima_buffer(5000)};
  in.cmdline = "root=/dev/ram0 rdinit=/init quiet";
  in.ram = {{0, 0x9f000}, {kMiB, 511 * kMiB}, {512 * kMiB, 512 * kMiB}, {4 * kGiB, kGiB}};
  const BootPlan p = plan(in);
  const NextKernel next = read_back(p);
  EXPECT_EQ(next.cmdline, in.cmdline);
  const SegmentInput& initrd = segment(p, Role::kInitrd);
  ASSERT_TRUE(next.initrd);
  EXPECT_EQ(*next.initrd, std::make_pair(initrd.addr, uint64_t{123457}));
  const SegmentInput& ima = segment(p, Role::kIma);
  ASSERT_TRUE(next.ima);
  EXPECT_EQ(*next.ima, std::make_pair(ima.addr, uint64_t{5000}));
  // Touching RAM ranges become one e820 entry.
  const std::vector<std::pair<uint64_t, uint64_t>> memory = {
      {0, 0x9f000}, {kMiB, kGiB - kMiB}, {4 * kGiB, kGiB}};
  EXPECT_EQ(next.memory, memory);
  EXPECT_EQ(p.ram.size(), in.ram.size());
  EXPECT_FALSE(p.console);
}

TEST(X86Boot, NextKernelWithoutInitrdOrIma) {
  BootInputs in = inputs();
  in.cmdline = "";
  in.console = styx::Console{static_cast<uint32_t>(styx::ConsoleKind::kUart8250Io), 0, 0x2f8};
  const BootPlan p = plan(in);
  const NextKernel next = read_back(p);
  EXPECT_EQ(next.cmdline, "");
  EXPECT_FALSE(next.initrd);
  EXPECT_FALSE(next.ima);
  ASSERT_TRUE(p.console);
  EXPECT_EQ(p.console->base, 0x2f8u);
}

TEST(X86Boot, NextKernelRefusesMalformedBootParams) {
  BootInputs in = inputs();
  in.ima = {"ima", ima_buffer(4096)};
  const BootPlan p = plan(in);
  const uint64_t rsi = p.boot_args.at(0).second;
  const auto read_next = [&](const Memory& m) {
    return arch().read_next_kernel(m.reader(), std::span<const uint64_t>(&rsi, 1));
  };
  const uint64_t node = segment(p, Role::kData).addr;

  Memory loop(p);
  std::vector<uint8_t> self(8);
  put(self, 0, node, 8);
  loop.write(node, self);
  EXPECT_THROW(read_next(loop), std::runtime_error);

  Memory no_header(p);
  no_header.write(rsi + 0x202, {0, 0, 0, 0});
  EXPECT_THROW(read_next(no_header), std::runtime_error);

  Memory unterminated(p);
  unterminated.write(rsi + 4096, std::vector<uint8_t>(3000, 'a'));
  EXPECT_THROW(read_next(unterminated), std::runtime_error);

  Memory e820(p);
  e820.write(rsi + 0x1e8, {129});
  EXPECT_THROW(read_next(e820), std::runtime_error);

  EXPECT_THROW(arch().read_next_kernel(Memory(p).reader(), {}), std::runtime_error);
}

TEST(X86Boot, NotEnoughRamNamesTheItemAndTheShortfall) {
  BootInputs in = inputs();
  in.ram = pc_ram(32 * kMiB);
  in.initrd = {"initrd.img", pattern(20 * kMiB, 2)};
  std::string error = plan_error(in);
  EXPECT_CONTAINS(error, "initrd: needs");
  EXPECT_CONTAINS(error, "short by");

  in.initrd.reset();
  in.ima = {"ima", ima_buffer(20 * kMiB)};
  error = plan_error(in);
  EXPECT_CONTAINS(error, "IMA buffer: needs");
  EXPECT_CONTAINS(error, "short by");

  // Only the kernel's own window: no room left for boot_params.
  in.ima.reset();
  in.ram = {{16 * kMiB, 8 * kMiB}};
  error = plan_error(in);
  EXPECT_CONTAINS(error, "boot_params: needs");
  EXPECT_CONTAINS(error, "short by");

  in.ram = {{kMiB, 20 * kMiB}};
  error = plan_error(in);
  EXPECT_CONTAINS(error, "kernel: needs");
  EXPECT_CONTAINS(error, "short by");
}

TEST(X86Boot, RequiresRam) {
  BootInputs in = inputs();
  in.ram.clear();
  EXPECT_CONTAINS(plan_error(in), "no RAM given: use --mem");
}

TEST(X86Boot, RefusesMoreRamRangesThanTheE820TableHolds) {
  BootInputs in = inputs();
  in.ram = pc_ram();
  for (uint64_t i = 0; i < 126; ++i) in.ram.push_back({kGiB + i * 2 * kMiB, kMiB});
  in.ram.push_back({kGiB + 251 * kMiB, kMiB});  // touches the last one: still 128 entries
  EXPECT_EQ(plan_error(in), "");
  in.ram.push_back({2 * kGiB, kMiB});
  EXPECT_CONTAINS(plan_error(in), "at most 128 e820 entries");
}

TEST(X86Boot, RefusesADeviceTree) {
  BootInputs in = inputs();
  in.dtb = {"board.dtb", pattern(64, 1)};
  EXPECT_CONTAINS(plan_error(in), "board.dtb: ");
}

TEST(X86Boot, PlanBuildsAnImageWithThePurgatoryClearOfInitSize) {
  KernelSpec k;
  BootInputs in = inputs(k);
  in.initrd = {"initrd.img", pattern(300 * kKiB, 5)};
  in.ima = {"ima", ima_buffer(8 * kKiB)};
  // Free RAM above the kernel's file part only inside its init_size window and below 16 MiB.
  in.ram = {{kMiB, 16 * kMiB + k.init_size - kMiB}};
  const BootPlan p = plan(in);
  styx::host::BuildRequest req;
  req.arch = &arch();
  styx::host::apply_boot_plan(p, req);
  const styx::host::Image image =
      styx::host::build_image(req, styx::host::embedded_purgatory("x86_64"));
  EXPECT_LE(image.purgatory_addr + image.purgatory_memsz, 16 * kMiB);
  EXPECT_EQ(image.segments.size(), p.segments.size());
  EXPECT_EQ(image.handoff.boot_args[0], p.boot_args[0].second);
}

// A real distribution kernel, when one is at hand: STYX_TEST_BZIMAGE, else /boot/vmlinuz-*.
TEST(X86Boot, PlansARealKernel) {
  std::filesystem::path path;
  if (const char* env = std::getenv("STYX_TEST_BZIMAGE")) path = env;
  std::error_code ec;
  if (path.empty())
    for (const auto& entry : std::filesystem::directory_iterator("/boot", ec))
      if (entry.path().filename().string().starts_with("vmlinuz-")) path = entry.path();
  if (path.empty()) GTEST_SKIP() << "no bzImage in /boot";
  std::ifstream file(path, std::ios::binary);
  ASSERT_TRUE(file) << "cannot read " << path;
  BootInputs in;
  in.kernel = {path.filename().string(), {std::istreambuf_iterator<char>(file), {}}};
  in.cmdline = "console=ttyS0";
  in.initrd = {"initrd", pattern(4 * kMiB, 1)};
  in.ima = {"ima", ima_buffer(8192)};
  in.ram = pc_ram(kGiB);
  const x86::BzImage image = x86::parse_bzimage(in.kernel.data, in.kernel.name);
  const BootPlan p = plan(in);
  const SegmentInput& kernel = segment(p, Role::kKernel);
  EXPECT_EQ(kernel.addr, image.header.pref_address);
  EXPECT_EQ(kernel.addr % image.header.kernel_alignment, 0u);
  EXPECT_EQ(p.entry, kernel.addr + 0x200);
  for (const SegmentInput& s : p.segments) {
    if (s.role == Role::kKernel) continue;
    EXPECT_TRUE(s.addr + s.data.size() <= kernel.addr ||
                s.addr >= kernel.addr + image.header.init_size)
        << s.name;
  }
  const NextKernel next = read_back(p);
  EXPECT_EQ(next.cmdline, in.cmdline);
  EXPECT_TRUE(next.initrd);
  EXPECT_TRUE(next.ima);
}

}  // namespace
