// SPDX-License-Identifier: GPL-2.0-only
// The hand-off seal: the two digests the host stores at the end of the hand-off block
// (Handoff::purgatory_sha256 and Handoff::handoff_sha256), checked before any other field of the
// block is used. A single flipped bit anywhere in the block or in the purgatory's loaded bytes
// then stops the boot with a named line instead of reaching the next kernel.
//
// Arch-neutral and free of globals, so the host unit tests run it on ordinary buffers.
#pragma once

#include <stddef.h>
#include <styx/handoff.h>

#include "format.h"

namespace styx {

enum class SealError { kNone, kHandoff, kPurgatory };

struct SealCheck {
  SealError error = SealError::kNone;
  uint8_t actual[kDigestSize] = {};  ///< the digest that did not match (when error is set)
};

/// Checks the seal of `handoff`, which lies inside the purgatory's loaded bytes
/// [image, image + image_size): first handoff_sha256 over the block's bytes before it, then
/// purgatory_sha256 over the loaded bytes with the block left out. Always with the generic
/// SHA-256: the hardware routine is chosen from the block, which is not trusted yet.
SealCheck check_seal(const Handoff& handoff, const uint8_t* image, size_t image_size);

/// Prints the one `styx: FAIL hand-off block: ...` or `styx: FAIL purgatory ...` line for a
/// failed check (`image` is where the purgatory's loaded bytes are, for the message).
void report_seal(Sink& out, const Handoff& handoff, const SealCheck& check, uint64_t image,
                 size_t image_size);

}  // namespace styx
