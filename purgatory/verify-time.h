// SPDX-License-Identifier: GPL-2.0-only
// The line that tells users what verification cost them: `styx: verified N MiB in T ms (ROUTINE)`.
#pragma once

#include <stdint.h>

#include "format.h"

namespace styx {

/// Prints the line for `bytes` hashed in `ticks` of a timer running at `hz`. With hz 0 (rate
/// unknown) the time is given in ticks; with ticks 0 (no timer, or one that did not move) the
/// line says there is no time to give. MiB and ms carry one decimal.
void report_verify_time(Sink& out, uint64_t bytes, uint64_t ticks, uint64_t hz,
                        const char* routine);

}  // namespace styx
