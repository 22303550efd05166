// SPDX-License-Identifier: GPL-2.0-only
// Copies of the kernel, initrd and device tree a load read, kept in /run/styx/files.
//
// `styx exec` may have to build the boot again (the IMA list grew since the load), and it runs
// last: under `systemctl kexec`, systemd-shutdown executes it after every file system it could
// unmount is gone, /boot among them. So a load keeps the exact bytes it read where the reboot
// can still read them, in memory-backed storage, each named by its SHA-256 and written
// atomically; the record names them (load-record.h) and exec checks their digest again. Where
// /run is not memory-backed (tmpfs or ramfs) nothing is copied to a disk: the load says so and
// exec reads the original paths, as it did before copies existed.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>

#include "live-system.h"

namespace styx::cli {

struct LoadState;

constexpr const char* kLoadCopiesDir = "/run/styx/files";

/// Why copies cannot be kept under the sysroot's /run/styx/files ("" when they can): the file
/// system holding it is not memory-backed, or the directory cannot be made.
std::string why_no_load_copies(const host::LiveSystem& live);

/// Writes `bytes` (whose SHA-256 is `sha256`) to kLoadCopiesDir/WHAT.SHA256 atomically and
/// returns that path under the sysroot.
std::string keep_load_copy(const host::LiveSystem& live, std::string_view what,
                           const std::string& sha256, std::span<const uint8_t> bytes);

/// Removes every file in kLoadCopiesDir that `keep` does not name (all of them without a
/// record): what a refused, killed or replaced load left behind. Best effort: a file that
/// cannot be removed stays, and costs only memory.
void remove_stale_load_copies(const host::LiveSystem& live, const std::optional<LoadState>& keep);

/// Tests: whether a directory is on memory-backed storage (default: statfs(2) says tmpfs or
/// ramfs); nullptr restores the default.
using MemoryBackedProbe = std::function<bool(const std::string& dir)>;
void set_memory_backed_probe(MemoryBackedProbe probe);

}  // namespace styx::cli
