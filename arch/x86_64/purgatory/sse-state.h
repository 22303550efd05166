// SPDX-License-Identifier: GPL-2.0-only
// x86_64: the SSE state the SHA-NI routine needs, enabled by sha256-hardware.cc and put back as the
// purgatory found it before the hand-off.
#pragma once

namespace styx::arch {

/// Restores CR0 and CR4 as they were before sha256_hardware() enabled SSE; nothing if it did not.
void restore_sse_state();

}  // namespace styx::arch
