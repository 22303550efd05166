// SPDX-License-Identifier: GPL-2.0-only
// x86_64's TSC rate as `styx load` measures it on the running machine.
#pragma once

#include <cstdint>

#include "live-system.h"

namespace styx::host {

/// The first CPU of /proc/cpuinfo (under the sysroot) has constant_tsc and nonstop_tsc: one rate,
/// counting through idle states.
bool x86_64_tsc_is_steady(const LiveSystem& live);

/// The running machine's TSC rate in Hz, measured over 20 ms against CLOCK_MONOTONIC_RAW and
/// rounded to kHz; 0 when `live` is a captured tree, the TSC is not steady, or this styx was not
/// built for x86_64.
uint64_t measure_x86_64_tsc_hz(const LiveSystem& live);

}  // namespace styx::host
