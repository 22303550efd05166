// SPDX-License-Identifier: GPL-2.0-only
// What the boot planner tests of every ISA ask of a plan.
#pragma once

#include <stdexcept>
#include <string>

#include "arch-info.h"
#include "boot.h"
#include "error.h"

namespace styx::test {

/// The plan's first segment with `role`; throws when there is none.
inline const host::SegmentInput& segment(const host::BootPlan& plan, Role role) {
  for (const host::SegmentInput& s : plan.segments)
    if (s.role == role) return s;
  throw std::runtime_error("the plan has no segment of that role");
}

/// What `arch`'s planner says when it refuses `in`; "" when it accepts.
inline std::string refusal(const host::ArchInfo& arch, const host::BootInputs& in) {
  try {
    arch.plan_boot(in);
  } catch (const host::InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace styx::test
