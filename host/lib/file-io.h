// Whole-file reads and crash-safe writes.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace styx::host {

/// Reads all of `path`; InputError "PATH: <reason>" when it cannot.
std::vector<uint8_t> read_file(const std::string& path);

/// Reads all of `path`, until end of file whatever size it reports (as sysfs and procfs files
/// need); nullopt when it does not exist (ENOENT, or ENOTDIR on the way), InputError
/// "PATH: <reason>" on any other failure.
std::optional<std::vector<uint8_t>> read_file_if_present(const std::string& path);

/// Writes `data` to a temporary file beside `path`, syncs it and renames it over `path`, so a
/// failure never leaves a half-written file. InputError "PATH: <reason>" when it cannot.
void write_file_atomic(const std::string& path, std::span<const uint8_t> data, bool executable);

}  // namespace styx::host
