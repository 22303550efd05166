// SPDX-License-Identifier: GPL-2.0-only
// Structure check of the IMA kexec buffer an `ima` segment carries, made as the next kernel will
// parse it: a buffer the kernel would refuse, or restore only in part, stops the boot instead of
// silently losing measurements.
#pragma once

#include <stdint.h>

#include "format.h"

namespace styx {

/// Checks the buffer of segment `index` (in the purgatory's byte order): header version 1,
/// buffer_size from the 24-byte header up to `segment_size`, and exactly `count` records, each in
/// bounds with a nonzero template name length, the last ending at buffer_size. Bytes after
/// buffer_size are not looked at. Prints one `styx: FAIL segment ...` line for the first problem.
bool check_ima_buffer(const uint8_t* buffer, uint64_t segment_size, uint32_t index, Sink& out);

}  // namespace styx
