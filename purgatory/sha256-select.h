// SPDX-License-Identifier: GPL-2.0-only
// Which SHA-256 routine verifies the segments. The purgatory decides on the CPU it runs on: the
// host's guess about the target machine could be wrong, and a wrong guess must never cost a
// verification.
#pragma once

#include <styx/handoff.h>

#include "format.h"
#include "sha256.h"

namespace styx {

/// What an ISA's hardware detection found (arch::sha256_hardware()).
struct Sha256Hardware {
  /// The routine's name on the console ("armv8-ce"); nullptr when the ISA has no hardware routine.
  const char* name = nullptr;
  /// The routine, ready to run (any unit it needs enabled); nullptr when this CPU cannot run it.
  Sha256Blocks blocks = nullptr;
  /// Why `blocks` is nullptr, for the console ("ID_AA64ISAR0_EL1.SHA2 is 0").
  const char* why_not = "";
};

/// What select_sha256() chose: the routine and its name for the console ("generic" for the
/// generic code).
struct Sha256Choice {
  Sha256Blocks blocks;
  const char* name;
};

/// A first run for a hardware routine that an ISA wraps in exception handling of its own (a
/// feature register can lie, and the exception would go to the old kernel's vectors): one block
/// with a known digest, "abc" (FIPS 180-4's first example). sha256_known_answer_input() fills the
/// block and the initial state; sha256_known_answer_ok() says whether the routine's state after
/// that block is the digest.
void sha256_known_answer_input(uint8_t block[kSha256BlockSize], uint32_t state[8]);
bool sha256_known_answer_ok(const uint32_t state[8]);

/// The routine for `handoff.sha256_routine`: with kAuto, `detect()`'s routine if it has one and
/// it agrees with the generic code on a known input; otherwise sha256_blocks_generic. `detect` is
/// not called when the image forces the generic code, so that escape hatch also avoids detection.
/// Prints one line, `styx: sha256: NAME`, with the reason in parentheses when it is the generic
/// code.
Sha256Choice select_sha256(const Handoff& handoff, Sha256Hardware (*detect)(), Sink& out);

}  // namespace styx
