// SPDX-License-Identifier: GPL-2.0-only
// Parsing of the numbers and small grammars on the command line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace styx::host {

/// Decimal, or hex with 0x; optional K/M/G suffix (binary). Nullopt on anything else or overflow.
std::optional<uint64_t> parse_number(std::string_view text);

std::string hex(uint64_t value);

}  // namespace styx::host
