// SPDX-License-Identifier: GPL-2.0-only
// What the running Linux system tells a loader that builds an image for it: the ISA, the command
// line, the firmware memory map, the device tree, the console, the IMA measurement list and
// whether a kexec image is loaded. Every file is read under a sysroot, so tests run against
// captured trees (tests/data/sysroot/) instead of the machine they run on.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "boot.h"
#include "image.h"

namespace styx::host {

struct ImaSnapshot {
  std::vector<uint8_t> binary;  ///< binary_runtime_measurements as read
  bool canonical = false;       ///< `ima_canonical_fmt` on the running kernel's command line
  /// runtime_measurements_count, read just before `binary`: a list that grew in between holds
  /// more records than this.
  uint64_t count = 0;
};

/// One CPU's crash note: where the running kernel writes that CPU's registers when it panics.
struct CrashNote {
  uint32_t cpu = 0;
  uint64_t addr = 0;  ///< physical
  uint64_t size = 0;
};

/// Reads the running system through /proc and /sys under `sysroot`. Every failure to read or
/// make sense of a file is an InputError "PATH: <problem>" naming the file inside the sysroot.
class LiveSystem {
 public:
  explicit LiveSystem(std::filesystem::path sysroot = "/");

  /// `absolute` (e.g. "/proc/cmdline") inside the sysroot.
  std::filesystem::path path(std::string_view absolute) const;

  /// The running ISA in Styx's names (x86_64, arm64, riscv64, ppc64le, s390x): the machine name
  /// of /proc/sys/kernel/arch, or of uname(2) when that file is missing and the sysroot is "/".
  std::string arch() const;

  /// /proc/cmdline without its trailing newline.
  std::string cmdline() const;

  /// /sys/firmware/memmap/N/{start,end,type} (what firmware handed the kernel, before the kernel
  /// reserved anything), or else the top-level ranges of /proc/iomem; sorted by start.
  std::vector<FirmwareRange> firmware_map() const;

  /// The file or directory firmware_map() reads: /sys/firmware/memmap when it lists ranges, else
  /// /proc/iomem.
  std::filesystem::path firmware_map_file() const;

  /// The "System RAM" ranges of firmware_map(), adjacent ones merged, rounded inward to 4 KiB.
  std::vector<MemRange> ram() const;

  /// What /proc/iomem shows inside "System RAM" at any depth, but for the running kernel's own
  /// image ("Kernel code", "Kernel data", ..., which a kexec replaces anyway), rounded outward to
  /// 4 KiB, sorted: on arm64 every memblock reservation ("reserved": the EFI memory map, ACPI
  /// tables, EFI's persistent reservations such as GIC tables), and "Crash kernel". The same rule
  /// as kexec-tools' arm64 port, which leaves out every "reserved" range. Empty without
  /// /proc/iomem.
  std::vector<MemRange> ram_reservations() const;

  /// /sys/firmware/fdt (checked to be a flattened device tree), nullopt without one.
  std::optional<std::vector<uint8_t>> device_tree() const;

  /// The console as an earlycon-style spec parse_console() accepts, from the first `earlycon=`
  /// (or `console=uart...`) on the command line that names an address; else nullopt when the
  /// device tree's /chosen has a stdout-path (it says more than this could); else the preferred
  /// serial console of /proc/consoles (flagged 'C', or the first enabled one; without that file,
  /// the last `console=ttyS<N>`/`ttyAMA<N>`) resolved through /sys/class/tty/<tty>. Nullopt when
  /// nothing usable is found, e.g. the tty has no sysfs entry or a register layout no spec names.
  std::optional<std::string> console() const;

  /// /sys/kernel/security/ima/{runtime_measurements_count,binary_runtime_measurements}; nullopt
  /// when securityfs is not mounted or the kernel has no IMA.
  std::optional<ImaSnapshot> ima() const;

  /// The "Crash kernel" ranges of /proc/iomem (what `crashkernel=` reserved; with `,low` there
  /// are two), sorted; empty when nothing is reserved.
  std::vector<MemRange> crash_regions() const;

  /// The crash note of every CPU in /sys/devices/system/cpu/possible that the kernel registered
  /// (cpuN/crash_notes and crash_notes_size; an offline CPU has one too, a hot-plug slot that is
  /// not present none). InputError when a registered CPU has none or no CPU has one.
  std::vector<CrashNote> crash_notes() const;

  /// /sys/kernel/vmcoreinfo: the physical address and size of the vmcoreinfo note, which tells
  /// makedumpfile and crash the running kernel's layout.
  MemRange vmcoreinfo() const;

  /// /sys/kernel/kexec_loaded is "1".
  bool kexec_loaded() const;

  /// The words of a kernel command line as the kernel splits them: at spaces outside double
  /// quotes, the quotes removed.
  static std::vector<std::string> split_cmdline(std::string_view cmdline);

 private:
  /// The words of cmdline() before `--`: the rest is for init.
  std::vector<std::string> kernel_params() const;

  std::filesystem::path sysroot_;
};

}  // namespace styx::host
