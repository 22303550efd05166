// SPDX-License-Identifier: GPL-2.0-only
// The start of every `styx: FAIL segment ...` line, shared by the checks that report on a segment
// so that all of them name it the same way.
#pragma once

#include <stdint.h>
#include <styx/handoff.h>

#include "format.h"

namespace styx {

inline void fail_segment(Sink& out, uint32_t index, uint32_t role, uint64_t addr, uint64_t size) {
  format(out, "styx: FAIL segment %u (%s) 0x%llx+0x%llx: ", index,
         role < kRoleCount ? role_name(static_cast<Role>(role)) : "unknown",
         static_cast<unsigned long long>(addr), static_cast<unsigned long long>(size));
}

}  // namespace styx
