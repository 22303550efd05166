// SPDX-License-Identifier: GPL-2.0-only
// The sizes and counts Styx images stay within: one table that the builder checks before it
// writes and every reader checks before it accepts, so that what `styx build` writes,
// `inspect`, `verify`, `run`, `ima show` and `load` all read, and nothing else.
#pragma once

#include <styx/handoff.h>

#include <cstdint>

namespace styx::host {

/// One input file (kernel, initrd, device tree, IMA list, --segment file) and so one segment:
/// the kernel refuses a kexec segment larger than half of RAM anyway, and a bound known before
/// reading keeps /dev/zero-like inputs from exhausting memory.
inline constexpr uint64_t kMaxSegmentBytes = 2ull << 30;
/// A whole image file: every segment and the purgatory, with the ELF headers.
inline constexpr uint64_t kMaxImageBytes = 4ull << 30;
/// RAM ranges an image records (the Styx note).
inline constexpr uint32_t kMaxRamRanges = 1024;
// Segments: kMaxSegments, the hand-off block's table (styx/handoff.h).

}  // namespace styx::host
