// SPDX-License-Identifier: GPL-2.0-only
// The `styx` command line, callable in-process so tests see exactly what a user sees.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace styx::cli {

/// Exit statuses shared by every command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;   ///< a digest mismatch, or the purgatory reported one
inline constexpr int kExitBadInput = 2;  ///< bad input, emulation fault, budget exhausted

/// Every --json flag's help: addresses, sizes, registers and counts are JSON numbers (unsigned
/// 64-bit integers), so that scripts compare them without parsing hex; digests stay hex strings.
inline constexpr const char* kJsonHelp =
    "Machine-readable output: JSON, with addresses, sizes and registers as numbers";

/// Runs `styx args...` (args excludes the program name).
int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace styx::cli
