// SPDX-License-Identifier: GPL-2.0-only
// The purgatory ELF built for each ISA, linked into the `styx` binary.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace styx::host {

/// The purgatory for `arch`, or an empty span when this binary has none.
std::span<const uint8_t> embedded_purgatory(std::string_view arch);

}  // namespace styx::host
