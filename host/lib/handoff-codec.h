// SPDX-License-Identifier: GPL-2.0-only
// The hand-off block in the target's byte order.
#pragma once

#include <styx/handoff.h>

#include <cstdint>
#include <span>
#include <vector>

namespace styx::host {

/// The bytes of `handoff` as a target of the given byte order stores them.
std::vector<uint8_t> encode_handoff(const Handoff& handoff, bool big_endian);
/// The inverse; `bytes` must hold at least sizeof(Handoff) bytes.
Handoff decode_handoff(std::span<const uint8_t> bytes, bool big_endian);

}  // namespace styx::host
