// SPDX-License-Identifier: GPL-2.0-only
// Booting a real Linux kernel: what the user gives (`styx build --kernel ...`) and what an ISA's
// boot protocol makes of it. Each arch/<isa>/host/ that supports booting Linux sets
// ArchInfo::plan_boot; the arch-neutral builder then adds the purgatory and writes the image.
#pragma once

#include <styx/handoff.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "builder.h"
#include "error.h"
#include "file-io.h"
#include "image.h"
#include "layout.h"

namespace styx::host {

/// One range of a machine's memory map as its firmware describes it; a running kernel shows it in
/// /sys/firmware/memmap (or /proc/iomem).
struct FirmwareRange {
  uint64_t start = 0;
  uint64_t size = 0;
  /// As the kernel names it: "System RAM", "Reserved", "ACPI Tables", "ACPI Non-volatile
  /// Storage", "Unusable memory", "Persistent Memory (legacy)", "Soft Reserved", ... (from
  /// /proc/iomem: any top-level name, e.g. "PCI Bus 0000:00").
  std::string type;
  uint64_t end() const { return start + size; }

  bool operator==(const FirmwareRange&) const = default;
};

/// A file's contents and its name for messages.
struct NamedBlob {
  std::string name;
  std::vector<uint8_t> data;
  /// Where the contents are when not in `data` (empty then): an input passed on unchanged as a
  /// segment (the initrd), streamed into the image rather than read into memory.
  std::optional<FileRegion> file{};

  uint64_t size() const { return file ? file->size : data.size(); }
  bool empty() const { return size() == 0; }
};

/// The file at `path`, which must not be empty; InputError "PATH: ..." otherwise.
inline NamedBlob read_blob(const std::string& path) {
  NamedBlob blob{path, read_file(path)};
  if (blob.data.empty()) throw InputError(path + ": empty file");
  return blob;
}

/// As read_blob(), the contents left in the file.
inline NamedBlob open_blob(const std::string& path) {
  return NamedBlob{path, {}, open_region(path)};
}

struct BootInputs {
  NamedBlob kernel;
  std::optional<NamedBlob> initrd;
  std::string cmdline;
  std::optional<NamedBlob> dtb;
  /// The IMA kexec buffer (ima_kexec_hdr + records, already in the target's byte order, padded
  /// with the requested extra room), ready to be carried as the `ima` segment.
  std::optional<NamedBlob> ima;
  /// RAM from --mem; empty means: take it from the device tree (DT ISAs) or fail.
  std::vector<MemRange> ram;
  /// The whole firmware memory map of a running machine (`styx load`), for boot protocols that
  /// pass reserved and ACPI ranges on as well (x86_64's e820); empty: only `ram` is known.
  std::vector<FirmwareRange> firmware_map;
  /// Where firmware_map came from ("/proc/iomem"), for messages; when it could not be read, the
  /// reason (firmware_map empty).
  std::string firmware_map_source;
  std::string firmware_map_error;
  /// Ranges inside the firmware map's RAM that the running kernel keeps for itself or for the
  /// firmware (LiveSystem::ram_reservations(): on arm64 the EFI memory map, ACPI tables, ...):
  /// a DT boot that takes its RAM from the firmware map places nothing there.
  std::vector<MemRange> firmware_reserved;
  std::optional<Console> console;
};

/// What an ISA's boot protocol produces: segments at chosen addresses, the entry, the boot
/// registers, the RAM the image describes, and the console it derived (e.g. from stdout-path).
struct BootPlan {
  std::vector<SegmentInput> segments;
  uint64_t entry = 0;
  std::vector<std::pair<std::string, uint64_t>> boot_args;
  std::vector<MemRange> ram;
  /// Where `ram` came from, for messages: "--mem", the tree's /memory, the firmware map.
  std::string ram_source;
  std::optional<Console> console;
  /// Ranges the purgatory must stay out of beyond the segments (e.g. firmware reservations).
  std::vector<MemRange> reserved;
  /// The timer rate the purgatory cannot read itself (e.g. the tree's timebase-frequency); 0.
  uint64_t timer_hz = 0;
};

/// Refuses an empty initrd or IMA buffer (read_blob() refuses empty files already; this covers
/// inputs made in memory).
inline void refuse_empty_inputs(const BootInputs& in) {
  if (in.initrd && in.initrd->empty()) throw InputError(in.initrd->name + ": empty initrd");
  if (in.ima && in.ima->data.empty()) throw InputError(in.ima->name + ": empty IMA buffer");
}

/// What the boot protocol decided, copied into the request the builder takes.
inline void apply_boot_plan(BootPlan plan, BuildRequest& req) {
  req.segments = std::move(plan.segments);
  req.entry = plan.entry;
  req.boot_args = plan.boot_args;
  req.ram = plan.ram;
  req.reserved = plan.reserved;
  req.console = plan.console;
  req.timer_hz = plan.timer_hz;
}

}  // namespace styx::host
