// SPDX-License-Identifier: GPL-2.0-only
// Checks a hand-off block and the segments it describes, reporting each problem as one line.
//
// Arch-neutral and free of globals so the host unit tests run it on ordinary buffers (a segment's
// address is then simply the address of a host buffer).
#pragma once

#include <styx/handoff.h>

#include "format.h"
#include "sha256.h"

namespace styx {

/// A half-open address range [begin, end).
struct Range {
  uint64_t begin;
  uint64_t end;
};

/// Problems found with the hand-off block itself; nothing in it can be trusted then.
enum class HandoffError { kNone, kBadMagic, kBadVersion, kBadSize, kTooManySegments };

/// Checks magic, version, size and segment count; prints one `styx: FAIL hand-off block` line to
/// `out` for a problem.
HandoffError check_handoff(const Handoff& handoff, Sink& out);

struct VerifyResult {
  uint32_t failed_mask = 0;  ///< bit i: segment i failed
  uint32_t failed = 0;
  uint64_t bytes_verified = 0;  ///< bytes hashed in segments that matched
};

/// Checks every segment of a hand-off block that passed check_handoff(): its range must not wrap
/// nor overlap `self` (the purgatory's own memory), its SHA-256 must match, and a non-empty `ima`
/// segment must hold a sound IMA kexec buffer (check_ima_buffer()). Prints one
/// `styx: FAIL segment ...` line per bad segment. `blocks` computes the digests; the report is the
/// same whichever routine it is.
VerifyResult verify_segments(const Handoff& handoff, Range self, Sink& out,
                             Sha256Blocks blocks = sha256_blocks_generic);

/// True when the memory log described by `handoff` is usable: large enough for its header, not
/// wrapping, and not overlapping any segment (the log must not corrupt what it reports on).
bool log_usable(const Handoff& handoff);

}  // namespace styx
