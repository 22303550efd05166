// SPDX-License-Identifier: GPL-2.0-only
// /run/styx/loaded.json: what `styx load` loaded, so that `styx exec` can build the same boot
// again with a newer IMA list, from exactly the same kernel, initrd and device tree bytes.
//
// The record is written twice around the kexec_load system call, each time atomically (a
// complete file renamed over the old one): first with the state "loading", then "loaded". A
// `styx load` killed at any point thus leaves either the previous record, a "loading" record or
// a "loaded" one, never a torn file; read against /sys/kernel/kexec_loaded (reconcile()), each
// combination says what is known about the loaded image. The files a load read are named with
// their digests and, where the load kept them, the copies `styx exec` rebuilds from.
#pragma once

#include <optional>
#include <string>

#include "live-system.h"

namespace styx::cli {

/// A file a load read, with the SHA-256 of the bytes it had then, and where the load kept a copy
/// of those bytes (load-copies.h), if it did.
struct LoadedFile {
  std::string path;
  std::string sha256;  ///< lower-case hex
  std::optional<std::string> copy{};
};

struct LoadState {
  std::string state = "loaded";        ///< "loading" until the system call has returned
  std::string syscall = "kexec_load";  ///< or "kexec_file_load": the kernel's own purgatory
  std::string arch;
  std::optional<std::string> image;
  std::optional<LoadedFile> kernel, initrd, dtb;
  std::optional<std::string> console;
  std::string cmdline;
  std::string on_failure = "halt";
  bool ima = false;  ///< an IMA list was carried
  uint64_t ima_records = 0;
  uint64_t ima_bytes = 0;
};

constexpr const char* kLoadRecordPath = "/run/styx/loaded.json";

/// The record, or nullopt when there is none; InputError naming the file when it is not one
/// styx wrote.
std::optional<LoadState> read_load_record(const host::LiveSystem& live);
/// Writes the record atomically (a killed writer leaves the old one or the new one).
void write_load_record(const host::LiveSystem& live, const LoadState& state);
/// Removes the record; false if it was there and could not be removed.
bool forget_load_record(const host::LiveSystem& live);
/// What the record and /sys/kernel/kexec_loaded say together.
struct LoadStatus {
  enum class Kind {
    kNothing,       ///< nothing loaded, no record
    kStaleRecord,   ///< nothing loaded, but a record: a load or unload that did not finish
    kForeign,       ///< loaded, no record: loaded by something else (kexec-tools)
    kUnfinished,    ///< loaded, the record says "loading": this load's image or the one before
    kLoadedByStyx,  ///< loaded, and the record says what
  };
  Kind kind = Kind::kNothing;
  std::optional<LoadState> record;
};
LoadStatus reconcile(const host::LiveSystem& live);

/// Whether `path` still holds the bytes whose SHA-256 is `sha256`: "unchanged", "changed since
/// the load (sha256 ...)" or "gone (...)".
std::string describe_file_now(const std::string& path, const std::string& sha256);

}  // namespace styx::cli
