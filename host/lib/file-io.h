// SPDX-License-Identifier: GPL-2.0-only
// Whole-file reads and crash-safe writes. Every file a command reads and every file it writes
// goes through here, so the checks that keep bad paths from hanging, exhausting memory or
// destroying data live in one place.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "image-limits.h"

namespace styx::host {

/// Reads all of the regular file `path`; InputError "PATH: <reason>" when it cannot. Anything
/// else (a device such as /dev/zero, a FIFO, a directory) is refused by its type before a byte
/// is read, and a file larger than `limit` by its size, or when it turns out longer while being
/// read (procfs and sysfs files report 0 or 4096).
std::vector<uint8_t> read_file(const std::string& path, uint64_t limit = kMaxSegmentBytes);

/// As read_file(); nullopt when it does not exist (ENOENT, or ENOTDIR on the way).
std::optional<std::vector<uint8_t>> read_file_if_present(const std::string& path,
                                                         uint64_t limit = kMaxSegmentBytes);

/// Refuses `path` as an output before any work is done: InputError when it exists and is not a
/// regular file (a device, FIFO, directory, or a symlink to one) or when it is the same file as
/// one of `inputs` (by device and inode, so another name or a hard link is caught too).
void check_output_path(const std::string& path, const std::vector<std::string>& inputs);

/// Writes `data` to a temporary file beside `path` (an unnamed O_TMPFILE where the filesystem
/// has them), syncs it and renames it over `path`, so a failure never leaves a half-written
/// file. A symlink to a regular file is written through. SIGINT and SIGTERM during the write
/// remove the temporary file; temporaries of `path` left by a killed process are removed first.
/// InputError "PATH: <reason>" when it cannot.
void write_file_atomic(const std::string& path, std::span<const uint8_t> data, bool executable);

}  // namespace styx::host
