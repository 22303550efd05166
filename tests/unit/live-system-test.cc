// SPDX-License-Identifier: GPL-2.0-only
// The running system as LiveSystem reads it: the trees captured from Debian 12 kernels under qemu
// (tests/data/sysroot), and made-up trees for what those do not show and for bad input.
#include "live-system.h"

#include <gtest/gtest.h>
#include <libfdt.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "error.h"
#include "file-io.h"
#include "ima.h"

namespace {

namespace fs = std::filesystem;
using styx::host::FirmwareRange;
using styx::host::InputError;
using styx::host::LiveSystem;
using styx::host::MemRange;

// STYX_TEST_SYSROOT points the fixture tests at another capture (e2e-check-sysroot's fresh one).
fs::path fixture(const char* arch) {
  const char* env = std::getenv("STYX_TEST_SYSROOT");
  return fs::path(env ? env : STYX_TEST_DATA "/sysroot") / arch;
}

std::vector<std::pair<uint64_t, uint64_t>> spans(const std::vector<MemRange>& ranges) {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  for (const MemRange& r : ranges) out.emplace_back(r.start, r.size);
  return out;
}

// The message of the InputError `f` throws ("" if none).
template <typename F>
std::string input_error(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

class TempTree {
 public:
  TempTree() {
    std::string tmpl = (fs::temp_directory_path() / "styx-live-system-test.XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    root_ = tmpl;
  }
  explicit TempTree(const fs::path& copy_of) : TempTree() {
    fs::copy(copy_of, root_, fs::copy_options::recursive);
  }
  ~TempTree() { fs::remove_all(root_); }
  TempTree(const TempTree&) = delete;
  TempTree& operator=(const TempTree&) = delete;

  const fs::path& root() const { return root_; }
  void write(const std::string& relative, const std::string& text) const {
    const fs::path file = root_ / relative;
    fs::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
  }
  void remove(const std::string& relative) const { fs::remove_all(root_ / relative); }
  // A serial_core tty as sysfs shows it.
  void tty(const std::string& name, const char* port, const char* mmio, int io_type,
           int shift) const {
    const std::string dir = "sys/class/tty/" + name + "/";
    write(dir + "port", std::string(port) + "\n");
    write(dir + "iomem_base", std::string(mmio) + "\n");
    write(dir + "io_type", std::to_string(io_type) + "\n");
    write(dir + "iomem_reg_shift", std::to_string(shift) + "\n");
  }
  void memmap(int n, const char* start, const char* end, const char* type) const {
    const std::string dir = "sys/firmware/memmap/" + std::to_string(n) + "/";
    write(dir + "start", std::string(start) + "\n");
    write(dir + "end", std::string(end) + "\n");
    write(dir + "type", std::string(type) + "\n");
  }

 private:
  fs::path root_;
};

// --- Debian 12 amd64 (6.1) on qemu q35, console=ttyS0 ---

TEST(LiveSystemX86_64, ReadsArchAndCommandLine) {
  const LiveSystem live(fixture("x86_64"));
  EXPECT_EQ(live.arch(), "x86_64");
  EXPECT_EQ(live.cmdline(), "console=ttyS0 panic=-1");
  EXPECT_FALSE(live.kexec_loaded());
}

TEST(LiveSystemX86_64, ReadsTheFirmwareMemoryMapWithInclusiveEnds) {
  const std::vector<FirmwareRange> want = {
      {0x0, 0x9fc00, "System RAM"},
      {0x9fc00, 0x400, "Reserved"},
      {0xf0000, 0x10000, "Reserved"},
      {0x100000, 0x3fedf000, "System RAM"},
      {0x3ffdf000, 0x21000, "Reserved"},
      {0xb0000000, 0x10000000, "Reserved"},
      {0xfed1c000, 0x4000, "Reserved"},
      {0xfffc0000, 0x40000, "Reserved"},
      {0xfd00000000, 0x300000000, "Reserved"},
  };
  EXPECT_EQ(LiveSystem(fixture("x86_64")).firmware_map(), want);
}

TEST(LiveSystemX86_64, RamIsTheSystemRamRoundedInwardToPages) {
  const std::vector<std::pair<uint64_t, uint64_t>> want = {{0x0, 0x9f000}, {0x100000, 0x3fedf000}};
  EXPECT_EQ(spans(LiveSystem(fixture("x86_64")).ram()), want);
}

TEST(LiveSystemX86_64, ResolvesTheSerialConsoleThroughSysfs) {
  const LiveSystem live(fixture("x86_64"));
  EXPECT_FALSE(live.device_tree());
  EXPECT_EQ(live.console(), "uart8250,io,0x3f8");
}

TEST(LiveSystemX86_64, ImaCountMatchesTheRecordsOfTheList) {
  const auto ima = LiveSystem(fixture("x86_64")).ima();
  ASSERT_TRUE(ima);
  EXPECT_FALSE(ima->canonical);
  EXPECT_EQ(ima->count, 5u);
  const auto list = styx::host::parse_ima_list(ima->binary, "x86_64 list");
  EXPECT_EQ(list.records.size(), ima->count);
  EXPECT_EQ(list.records[0].template_name, "ima-sig");
}

// --- Debian 12 arm64 (6.1) on qemu virt, console=ttyAMA0 ima_canonical_fmt ---

TEST(LiveSystemArm64, ReadsArchAndCommandLine) {
  const LiveSystem live(fixture("arm64"));
  EXPECT_EQ(live.arch(), "arm64");  // the kernel says aarch64
  EXPECT_EQ(live.cmdline(), "console=ttyAMA0 ima_canonical_fmt panic=-1");
  EXPECT_FALSE(live.kexec_loaded());
}

TEST(LiveSystemArm64, FallsBackToTheTopLevelOfIomem) {
  const std::vector<FirmwareRange> want = {
      {0x9000000, 0x1000, "pl011@9000000"},          {0x9010000, 0x1000, "pl031@9010000"},
      {0x9030000, 0x1000, "pl061@9030000"},          {0x10000000, 0x2eff0000, "pcie@10000000"},
      {0x40000000, 0x40000000, "System RAM"},        {0x4010000000, 0x10000000, "PCI ECAM"},
      {0x8000000000, 0x8000000000, "pcie@10000000"},
  };
  const LiveSystem live(fixture("arm64"));
  EXPECT_EQ(live.firmware_map(), want);
  const std::vector<std::pair<uint64_t, uint64_t>> ram = {{0x40000000, 0x40000000}};
  EXPECT_EQ(spans(live.ram()), ram);
}

TEST(LiveSystemArm64, ReadsTheDeviceTree) {
  const auto dtb = LiveSystem(fixture("arm64")).device_tree();
  ASSERT_TRUE(dtb);
  ASSERT_EQ(fdt_check_header(dtb->data()), 0);
  EXPECT_EQ(fdt_totalsize(dtb->data()), dtb->size());
  const int chosen = fdt_path_offset(dtb->data(), "/chosen");
  ASSERT_GE(chosen, 0);
  const char* bootargs =
      static_cast<const char*>(fdt_getprop(dtb->data(), chosen, "bootargs", nullptr));
  ASSERT_NE(bootargs, nullptr);
  EXPECT_STREQ(bootargs, "console=ttyAMA0 ima_canonical_fmt panic=-1");
}

TEST(LiveSystemArm64, LeavesTheConsoleToTheDeviceTree) {
  EXPECT_EQ(LiveSystem(fixture("arm64")).console(), std::nullopt);
}

TEST(LiveSystemArm64, ResolvesPl011WithoutADeviceTree) {
  const TempTree tree(fixture("arm64"));
  tree.remove("sys/firmware/fdt");
  EXPECT_EQ(LiveSystem(tree.root()).console(), "pl011,0x9000000");
}

TEST(LiveSystemArm64, ImaIsCanonicalAndCountMatchesTheRecords) {
  const auto ima = LiveSystem(fixture("arm64")).ima();
  ASSERT_TRUE(ima);
  EXPECT_TRUE(ima->canonical);
  EXPECT_EQ(ima->count, 5u);
  const auto list = styx::host::parse_ima_list(ima->binary, "arm64 list", false);
  EXPECT_EQ(list.records.size(), ima->count);
}

TEST(LiveSystemArm64, CanonicalOnlyFromKernelParameters) {
  const TempTree tree(fixture("arm64"));
  tree.write("proc/cmdline", "console=ttyAMA0 -- ima_canonical_fmt\n");
  const auto ima = LiveSystem(tree.root()).ima();
  ASSERT_TRUE(ima);
  EXPECT_FALSE(ima->canonical);
}

// --- The same kernel started by UEFI firmware (AAVMF) on qemu virt,acpi=on ---

TEST(LiveSystemArm64Uefi, RamIsSystemRamOfIomem) {
  const LiveSystem live(fixture("arm64-uefi"));
  EXPECT_EQ(live.firmware_map_file(), fixture("arm64-uefi") / "proc/iomem");
  // Firmware's runtime regions are "reserved" at the top level, between the System RAM ranges.
  const std::vector<std::pair<uint64_t, uint64_t>> ram = {
      {0x40000000, 0x3c440000}, {0x7c730000, 0x34d0000}, {0x7ffe0000, 0x20000}};
  EXPECT_EQ(spans(live.ram()), ram);
}

TEST(LiveSystemArm64Uefi, ReservationsInsideRamCoverTheEfiMemoryMap) {
  const LiveSystem live(fixture("arm64-uefi"));
  const std::vector<MemRange> reserved = live.ram_reservations();
  // Every nested line but "Kernel code" and "Kernel data".
  EXPECT_EQ(reserved.size(), 14u);
  const auto dtb = live.device_tree();
  ASSERT_TRUE(dtb);
  const int chosen = fdt_path_offset(dtb->data(), "/chosen");
  ASSERT_GE(chosen, 0);
  int len = 0;
  const auto* mmap =
      static_cast<const uint8_t*>(fdt_getprop(dtb->data(), chosen, "linux,uefi-mmap-start", &len));
  ASSERT_EQ(len, 8);
  uint64_t at = 0;
  for (int i = 0; i < 8; ++i) at = at << 8 | mmap[i];
  EXPECT_TRUE(std::any_of(reserved.begin(), reserved.end(),
                          [&](const MemRange& r) { return at >= r.start && at < r.end(); }))
      << std::hex << at;
  for (const MemRange& r : reserved) {
    EXPECT_EQ(r.start % 4096, 0u);
    EXPECT_EQ(r.size % 4096, 0u);
    // The running kernel's image is not among them: kexec replaces it.
    EXPECT_FALSE(r.start <= 0x784c0000 && 0x784c0000 < r.end()) << std::hex << r.start;
  }
}

TEST(LiveSystemArm64Uefi, ConsoleFromProcConsolesWhenTheTreeNamesNone) {
  EXPECT_EQ(LiveSystem(fixture("arm64-uefi")).console(), "pl011,0x9000000");
}

TEST(LiveSystemArm64Uefi, NoIomemNoReservations) {
  const TempTree tree(fixture("arm64-uefi"));
  tree.remove("proc/iomem");
  EXPECT_TRUE(LiveSystem(tree.root()).ram_reservations().empty());
  EXPECT_NE(input_error([&] { LiveSystem(tree.root()).ram(); }).find("proc/iomem"),
            std::string::npos);
}

TEST(LiveSystemArm64Uefi, MalformedNestedLineIsNamed) {
  const TempTree tree(fixture("arm64-uefi"));
  tree.write("proc/iomem", "40000000-7fffffff : System RAM\n  4xyz-41000000 : reserved\n");
  EXPECT_NE(input_error([&] { LiveSystem(tree.root()).ram_reservations(); }).find("line 2"),
            std::string::npos);
}

// --- Two CPUs and crashkernel=256M (what a crash kernel's loader reads) ---
// Addresses move from boot to boot (KASLR, per-CPU areas), so only what the layout guarantees is
// asserted: e2e-check-sysroot runs these on fresh captures too.

struct CrashCapture {
  const char* name;
  uint64_t note_size;  ///< sizeof(note_buf_t) of that Debian kernel
};

class LiveSystemCrash : public ::testing::TestWithParam<CrashCapture> {};

bool inside(const std::vector<MemRange>& ranges, uint64_t start, uint64_t size) {
  return std::any_of(ranges.begin(), ranges.end(), [&](const MemRange& r) {
    return start >= r.start && start < r.end() && size <= r.end() - start;
  });
}

TEST_P(LiveSystemCrash, CrashKernelIsOne256MiBRangeInsideRam) {
  const LiveSystem live(fixture(GetParam().name));
  const std::vector<MemRange> crash = live.crash_regions();
  ASSERT_EQ(crash.size(), 1u);
  EXPECT_EQ(crash[0].size, 256u << 20);
  EXPECT_EQ(crash[0].start % (2 << 20), 0u);
  EXPECT_TRUE(inside(live.ram(), crash[0].start, crash[0].size));
}

TEST_P(LiveSystemCrash, EveryCpuHasACrashNoteInRamOutsideTheCrashKernel) {
  const LiveSystem live(fixture(GetParam().name));
  const std::vector<styx::host::CrashNote> notes = live.crash_notes();
  ASSERT_EQ(notes.size(), 2u);
  const MemRange crash = live.crash_regions().at(0);
  for (uint32_t i = 0; i < notes.size(); ++i) {
    EXPECT_EQ(notes[i].cpu, i);
    EXPECT_EQ(notes[i].size, GetParam().note_size);
    EXPECT_TRUE(inside(live.ram(), notes[i].addr, notes[i].size)) << std::hex << notes[i].addr;
    EXPECT_FALSE(inside({crash}, notes[i].addr, 1)) << std::hex << notes[i].addr;
  }
  EXPECT_NE(notes[0].addr, notes[1].addr);
}

TEST_P(LiveSystemCrash, VmcoreinfoIsANotePageInRam) {
  const LiveSystem live(fixture(GetParam().name));
  const MemRange info = live.vmcoreinfo();
  // VMCOREINFO_NOTE_SIZE: the ELF note header, "VMCOREINFO" padded, and a 4 KiB page of text.
  EXPECT_EQ(info.size, 0x1024u);
  EXPECT_TRUE(inside(live.ram(), info.start, info.size)) << std::hex << info.start;
  EXPECT_FALSE(inside(live.crash_regions(), info.start, 1));
}

INSTANTIATE_TEST_SUITE_P(Captures, LiveSystemCrash,
                         ::testing::Values(CrashCapture{"x86_64-crash", 368},
                                           CrashCapture{"arm64-crash", 424}),
                         [](const auto& info) {
                           std::string name = info.param.name;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

// The controls: booted without crashkernel=, nothing is reserved.
TEST(LiveSystemX86_64, NoCrashKernelWithoutCrashkernel) {
  EXPECT_TRUE(LiveSystem(fixture("x86_64")).crash_regions().empty());
}

TEST(LiveSystemArm64, NoCrashKernelWithoutCrashkernel) {
  EXPECT_TRUE(LiveSystem(fixture("arm64")).crash_regions().empty());
}

TEST(LiveSystemCrashTree, AHotPlugSlotIsSkippedARegisteredCpuWithoutNotesIsNot) {
  const TempTree tree(fixture("x86_64-crash"));
  tree.write("sys/devices/system/cpu/possible", "0-2\n");  // cpu2: a slot, not present
  EXPECT_EQ(LiveSystem(tree.root()).crash_notes().size(), 2u);
  tree.remove("sys/devices/system/cpu/cpu1/crash_notes");
  EXPECT_NE(input_error([&] {
              LiveSystem(tree.root()).crash_notes();
            }).find("cpu1/crash_notes: missing: the running kernel keeps no crash notes"),
            std::string::npos);
}

TEST(LiveSystemCrashTree, MalformedFilesAreNamed) {
  const TempTree tree(fixture("arm64-crash"));
  const auto error = [&](const char* file, const char* text, auto read) {
    const TempTree t(fixture("arm64-crash"));
    t.write(file, text);
    return input_error([&] { read(LiveSystem(t.root())); });
  };
  const auto notes = [](const LiveSystem& l) { l.crash_notes(); };
  const auto info = [](const LiveSystem& l) { l.vmcoreinfo(); };
  EXPECT_NE(error("sys/devices/system/cpu/possible", "1-0\n", notes).find("is not a CPU list"),
            std::string::npos);
  EXPECT_NE(error("sys/devices/system/cpu/possible", "0,0\n", notes).find("is not a CPU list"),
            std::string::npos);
  EXPECT_NE(error("sys/devices/system/cpu/cpu0/crash_notes", "xyz\n", notes)
                .find("is not a physical address"),
            std::string::npos);
  EXPECT_NE(error("sys/devices/system/cpu/cpu0/crash_notes_size", "0\n", notes)
                .find("is no CPU's crash note"),
            std::string::npos);
  EXPECT_NE(error("sys/kernel/vmcoreinfo", "0x1000\n", info).find("is not ADDRESS SIZE"),
            std::string::npos);
  EXPECT_NE(
      error("sys/kernel/vmcoreinfo", "0xffffffffffffffff 1024\n", info).find("is not ADDRESS SIZE"),
      std::string::npos);
  tree.remove("sys/kernel/vmcoreinfo");
  EXPECT_NE(input_error([&] {
              LiveSystem(tree.root()).vmcoreinfo();
            }).find("vmcoreinfo: missing: the running kernel has no vmcoreinfo"),
            std::string::npos);
}

TEST(LiveSystemCrashTree, CpuListsWithGaps) {
  const TempTree tree(fixture("x86_64-crash"));
  tree.write("sys/devices/system/cpu/possible", "0-1,4,6-7\n");  // only cpu0 and cpu1 present
  const auto notes = LiveSystem(tree.root()).crash_notes();
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[1].cpu, 1u);
}

// --- made-up trees ---

TEST(LiveSystem, PathIsInsideTheSysroot) {
  EXPECT_EQ(LiveSystem("/some/root").path("/proc/cmdline"), fs::path("/some/root/proc/cmdline"));
  EXPECT_EQ(LiveSystem().path("/proc/cmdline"), fs::path("/proc/cmdline"));
}

TEST(LiveSystem, EarlyconOnTheCommandLineWins) {
  const TempTree tree(fixture("arm64"));
  tree.write("proc/cmdline", "console=ttyAMA0 earlycon=pl011,mmio32,0x9000000 quiet\n");
  EXPECT_EQ(LiveSystem(tree.root()).console(), "pl011,0x9000000");
  tree.write("proc/cmdline", "earlycon=uart8250,mmio32,0xfe215040,115200n8\n");
  EXPECT_EQ(LiveSystem(tree.root()).console(), "uart8250,mmio32,0xfe215040");
  tree.write("proc/cmdline", "console=uart8250,io,0x2f8,115200n8\n");
  EXPECT_EQ(LiveSystem(tree.root()).console(), "uart8250,io,0x2f8");
  // Words after `--` are init's, not the kernel's.
  tree.write("proc/cmdline", "console=ttyAMA0 -- earlycon=pl011,0x9000000\n");
  EXPECT_EQ(LiveSystem(tree.root()).console(), std::nullopt);
  // A bare earlycon takes the device tree's stdout-path: nothing to say here.
  tree.write("proc/cmdline", "earlycon console=ttyAMA0\n");
  EXPECT_EQ(LiveSystem(tree.root()).console(), std::nullopt);
}

TEST(LiveSystem, PicksThePreferredSerialConsole) {
  TempTree tree;
  tree.write("proc/cmdline", "console=ttyS0 console=ttyS1 console=tty0\n");
  tree.write("proc/consoles",
             "tty0                 -WU (EC p  )    4:1\n"
             "ttyS1                -W- (E  p a)    4:65\n"
             "ttyS0                -W- (E  p a)    4:64\n");
  tree.tty("ttyS0", "0x3F8", "0x0", 0, 0);
  tree.tty("ttyS1", "0x0", "0xFE215040", 3, 2);
  // tty0 is preferred but no UART: the first enabled serial console.
  EXPECT_EQ(LiveSystem(tree.root()).console(), "uart8250,mmio32,0xfe215040");
  tree.write("proc/consoles",
             "ttyS1                -W- (E  p a)    4:65\n"
             "ttyS0                -W- (EC p a)    4:64\n");
  EXPECT_EQ(LiveSystem(tree.root()).console(), "uart8250,io,0x3f8");
}

TEST(LiveSystem, MapsIoTypesToSpecs) {
  TempTree tree;
  tree.write("proc/cmdline", "console=ttyS2\n");
  tree.write("proc/consoles", "ttyS2                -W- (EC p a)    4:66\n");
  tree.tty("ttyS2", "0x0", "0x10000000", 2, 0);
  EXPECT_EQ(LiveSystem(tree.root()).console(), "uart8250,mmio,0x10000000");
  tree.tty("ttyS2", "0x0", "0x10000000", 2, 2);  // 8-bit registers 4 bytes apart: no spec says so
  EXPECT_EQ(LiveSystem(tree.root()).console(), std::nullopt);
  tree.tty("ttyS2", "0x0", "0x10000000", 6, 2);  // big-endian 32-bit
  EXPECT_EQ(LiveSystem(tree.root()).console(), std::nullopt);
  tree.tty("ttyS2", "0xZZ", "0x10000000", 3, 2);
  const std::string error = input_error([&] { LiveSystem(tree.root()).console(); });
  EXPECT_NE(error.find((tree.root() / "sys/class/tty/ttyS2/port").string()), std::string::npos)
      << error;
}

TEST(LiveSystem, ConsoleWithoutSysfsEntryIsNothingUsable) {
  const TempTree tree(fixture("x86_64"));
  tree.write("proc/consoles", "ttyS1                -W- (EC p a)    4:65\n");
  EXPECT_EQ(LiveSystem(tree.root()).console(), std::nullopt);
  // Without /proc/consoles, the last console= of the command line.
  tree.remove("proc/consoles");
  tree.write("proc/cmdline", "console=ttyS0,115200n8 console=ttyS1\n");
  EXPECT_EQ(LiveSystem(tree.root()).console(), std::nullopt);
  tree.write("proc/cmdline", "console=ttyS1 console=ttyS0,115200n8\n");
  EXPECT_EQ(LiveSystem(tree.root()).console(), "uart8250,io,0x3f8");
}

TEST(LiveSystem, MissingMemoryMapNamesBothSources) {
  const TempTree tree;
  const std::string error = input_error([&] { LiveSystem(tree.root()).firmware_map(); });
  EXPECT_NE(error.find((tree.root() / "proc/iomem").string()), std::string::npos) << error;
  EXPECT_NE(error.find((tree.root() / "sys/firmware/memmap").string()), std::string::npos) << error;
  EXPECT_NE(input_error([&] { LiveSystem(tree.root()).ram(); }), "");
}

TEST(LiveSystem, MalformedMemmapValueNamesTheFile) {
  const TempTree tree(fixture("x86_64"));
  tree.write("sys/firmware/memmap/3/start", "0x10000g\n");
  const std::string error = input_error([&] { LiveSystem(tree.root()).firmware_map(); });
  EXPECT_NE(error.find((tree.root() / "sys/firmware/memmap/3/start").string() + ": '0x10000g'"),
            std::string::npos)
      << error;
  tree.write("sys/firmware/memmap/3/start", "0x100000\n");
  tree.write("sys/firmware/memmap/3/end", "0xfffff\n");  // below start
  EXPECT_NE(input_error([&] {
              LiveSystem(tree.root()).firmware_map();
            }).find((tree.root() / "sys/firmware/memmap/3/end").string()),
            std::string::npos);
  tree.write("sys/firmware/memmap/3/end", "0xffffffffffffffff\n");
  EXPECT_NE(input_error([&] { LiveSystem(tree.root()).firmware_map(); }).find("at 2^64"),
            std::string::npos);
  tree.write("sys/firmware/memmap/3/end", "0x3ffdefff\n");
  tree.remove("sys/firmware/memmap/3/type");
  EXPECT_NE(input_error([&] {
              LiveSystem(tree.root()).firmware_map();
            }).find((tree.root() / "sys/firmware/memmap/3/type").string()),
            std::string::npos);
}

TEST(LiveSystem, SortsMergesAndRoundsRam) {
  TempTree tree;
  tree.memmap(10, "0x10100", "0x20fff", "System RAM");  // unaligned start: rounded up
  tree.memmap(2, "0x2000", "0x2fff", "System RAM");     // adjacent to the next one: merged
  tree.memmap(1, "0x1000", "0x1fff", "System RAM");
  tree.memmap(3, "0x3000", "0x3fff", "Reserved");
  tree.memmap(4, "0x30000", "0x307ff", "System RAM");  // less than a page once rounded
  tree.memmap(5, "0x100000000", "0x13fffffff", "Persistent Memory (legacy)");
  const LiveSystem live(tree.root());
  const auto map = live.firmware_map();
  ASSERT_EQ(map.size(), 6u);
  EXPECT_EQ(map[0], (FirmwareRange{0x1000, 0x1000, "System RAM"}));
  EXPECT_EQ(map[3], (FirmwareRange{0x10100, 0x10f00, "System RAM"}));
  EXPECT_EQ(map[5], (FirmwareRange{0x100000000, 0x40000000, "Persistent Memory (legacy)"}));
  const std::vector<std::pair<uint64_t, uint64_t>> want = {{0x1000, 0x2000}, {0x11000, 0x10000}};
  EXPECT_EQ(spans(live.ram()), want);
}

TEST(LiveSystem, EmptyMemmapFallsBackToIomem) {
  TempTree tree;
  fs::create_directories(tree.root() / "sys/firmware/memmap");
  tree.write("proc/iomem",
             "00000000-00000fff : Reserved\n"
             "00001000-0009fbff : System RAM\n"
             "00100000-3ffdefff : System RAM\n"
             "  11c00000-12a01d31 : Kernel code\n"
             "3ffdf000-3fffffff : Reserved\n");
  const std::vector<std::pair<uint64_t, uint64_t>> want = {{0x1000, 0x9e000},
                                                           {0x100000, 0x3fedf000}};
  EXPECT_EQ(spans(LiveSystem(tree.root()).ram()), want);
}

TEST(LiveSystem, IomemWithHiddenAddressesSaysWhy) {
  TempTree tree;
  tree.write("proc/iomem",
             "00000000-00000000 : Reserved\n"
             "00000000-00000000 : System RAM\n");
  const std::string error = input_error([&] { LiveSystem(tree.root()).firmware_map(); });
  EXPECT_NE(error.find("CAP_SYS_ADMIN"), std::string::npos) << error;
  tree.write("proc/iomem", "00001000-0009fbff System RAM\n");
  EXPECT_NE(input_error([&] { LiveSystem(tree.root()).firmware_map(); }).find("line 1"),
            std::string::npos);
}

TEST(LiveSystem, EmptySysrootHasNoImaNoDeviceTreeAndNamesMissingFiles) {
  const TempTree tree;
  const LiveSystem live(tree.root());
  EXPECT_EQ(live.ima(), std::nullopt);
  EXPECT_EQ(live.device_tree(), std::nullopt);
  const std::string arch = (tree.root() / "proc/sys/kernel/arch").string();
  EXPECT_EQ(input_error([&] { live.arch(); }), arch + ": No such file or directory");
  EXPECT_NE(input_error([&] { live.cmdline(); }).find((tree.root() / "proc/cmdline").string()),
            std::string::npos);
  EXPECT_NE(input_error([&] {
              live.kexec_loaded();
            }).find((tree.root() / "sys/kernel/kexec_loaded").string()),
            std::string::npos);
}

TEST(LiveSystem, UnreadableImaFileIsAnError) {
  const TempTree tree(fixture("x86_64"));
  tree.remove("sys/kernel/security/ima/binary_runtime_measurements");
  fs::create_directories(tree.root() / "sys/kernel/security/ima/binary_runtime_measurements");
  const std::string file =
      (tree.root() / "sys/kernel/security/ima/binary_runtime_measurements").string();
  EXPECT_EQ(input_error([&] { LiveSystem(tree.root()).ima(); }),
            file + ": is a directory, not a regular file");
  tree.write("sys/kernel/security/ima/runtime_measurements_count", "five\n");
  EXPECT_NE(input_error([&] { LiveSystem(tree.root()).ima(); }).find("runtime_measurements_count"),
            std::string::npos);
}

TEST(LiveSystem, ReadsKexecLoadedAndRejectsOtherValues) {
  TempTree tree;
  tree.write("sys/kernel/kexec_loaded", "1\n");
  EXPECT_TRUE(LiveSystem(tree.root()).kexec_loaded());
  tree.write("sys/kernel/kexec_loaded", "yes\n");
  EXPECT_NE(input_error([&] { LiveSystem(tree.root()).kexec_loaded(); }).find("'yes'"),
            std::string::npos);
}

TEST(LiveSystem, NamesUnsupportedMachines) {
  TempTree tree;
  for (const auto& [machine, isa] : std::vector<std::pair<const char*, const char*>>{
           {"riscv64", "riscv64"}, {"ppc64le", "ppc64le"}, {"s390x", "s390x"}}) {
    tree.write("proc/sys/kernel/arch", std::string(machine) + "\n");
    EXPECT_EQ(LiveSystem(tree.root()).arch(), isa);
  }
  tree.write("proc/sys/kernel/arch", "mips64\n");
  const std::string error = input_error([&] { LiveSystem(tree.root()).arch(); });
  EXPECT_NE(error.find((tree.root() / "proc/sys/kernel/arch").string() + ": machine 'mips64'"),
            std::string::npos)
      << error;
}

TEST(LiveSystem, RejectsAFileThatIsNoDeviceTree) {
  TempTree tree;
  tree.write("sys/firmware/fdt", std::string(64, 'x'));
  const std::string error = input_error([&] { LiveSystem(tree.root()).device_tree(); });
  EXPECT_NE(error.find((tree.root() / "sys/firmware/fdt").string() + ": not a flattened"),
            std::string::npos)
      << error;
}

TEST(LiveSystem, SplitsTheCommandLineAsTheKernelDoes) {
  const std::vector<std::string> want = {"root=/dev/vda", "dyndbg=file x.c +p", "quiet"};
  EXPECT_EQ(LiveSystem::split_cmdline("  root=/dev/vda dyndbg=\"file x.c +p\"  quiet\n"), want);
}

// procfs reports size 0 for files that hold text: only reading to the end gets it.
TEST(LiveSystem, ReadsProcfsFilesPastTheirReportedSize) {
  struct stat st {};
  ASSERT_EQ(::stat("/proc/self/status", &st), 0);
  ASSERT_EQ(st.st_size, 0);
  const auto bytes = styx::host::read_file_if_present("/proc/self/status");
  ASSERT_TRUE(bytes);
  EXPECT_NE(std::string(bytes->begin(), bytes->end()).find("Name:"), std::string::npos);
  EXPECT_EQ(styx::host::read_file_if_present("/proc/self/no-such-file"), std::nullopt);
}

}  // namespace
