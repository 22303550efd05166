// SPDX-License-Identifier: GPL-2.0-only
// The whole interface between the arch-neutral purgatory and one ISA.
//
// Each `arch/<isa>/purgatory/` implements these functions and an entry point that sets up a
// stack, clears .bss and calls `styx_main()`. Nothing else in the purgatory knows the ISA.
#pragma once

#include <styx/handoff.h>

#include "sha256-select.h"

namespace styx::arch {

/// Writes one byte to `console`; kinds this ISA cannot drive are ignored (the host refuses them).
void console_putc(const Console& console, char c);

/// The console used when the hand-off block cannot be trusted (bad magic or version).
Console default_console();

/// Stops the CPU for good in a low-power loop.
[[noreturn]] void halt();

/// Resets the machine with `method`; if the reset does not take effect, halts.
[[noreturn]] void reset(ResetMethod method);

/// Detects the ISA's SHA-256 hardware routine on this CPU, enabling what it needs (FP/SIMD or
/// vector state), and must never trap doing so. Called at most once, before any segment is
/// hashed. A port without one adds nothing: purgatory/sha256-hardware-none.cc is linked instead.
Sha256Hardware sha256_hardware();

/// The ISA's free-running counter, read as cheaply as the ISA allows; only differences between
/// two reads mean anything. A port without one adds nothing: purgatory/timer-none.cc returns 0.
uint64_t timer_ticks();

/// How many timer_ticks() make a second: the architected or CPU-reported rate, else `host_hz`
/// (Handoff::timer_hz, what the host measured or read from the device tree), else 0 (unknown).
uint64_t timer_hz(uint64_t host_hz);

/// Makes memory fast for hashing the segments of a `handoff` that passed check_handoff() when `on`
/// (arm64: an identity map with the MMU and caches on), and puts the machine back in the state
/// it was entered in when not; called once each way, around verify_segments() alone, so a port
/// may read the segment table and console then and need not undo anything in hand_off(). Returns
/// a console note (without "styx: ") or nullptr. A port without one adds nothing:
/// purgatory/fast-memory-none.cc hashes in the state the purgatory was entered in.
const char* fast_memory(const Handoff& handoff, bool on);

/// Jumps to `entry` with the ISA's Linux boot registers set from `boot_args` (in the order the
/// host's arch description lists them) and every other general register zero.
[[noreturn]] void hand_off(uint64_t entry, const uint64_t (&boot_args)[kMaxBootArgs]);

}  // namespace styx::arch

/// Called by the ISA's entry code with a stack and cleared .bss.
extern "C" [[noreturn]] void styx_main();
