// SPDX-License-Identifier: GPL-2.0-only
// Template: the purgatory side of a port, i.e. purgatory/arch.h. Every function traps until it is
// written, so a half-done port fails at its first console write instead of misbehaving quietly.
// arch::sha256_hardware() is not here: without a sha256-hardware* file of its own the port links
// purgatory/sha256-hardware-none.cc and runs the generic SHA-256 (docs/PORTING.md, step 3).
#include "arch.h"

namespace styx::arch {

// Drive the console kinds your ISA supports (shared drivers: purgatory/uart.h); ignore the rest,
// the host refuses them for this ISA.
void console_putc(const Console&, char) {
  __builtin_trap();
}

// The console to use when the hand-off block cannot be trusted: your reference machine's UART.
Console default_console() {
  __builtin_trap();
}

// Stop for good in a low-power loop (wfi, hlt, ...).
void halt() {
  __builtin_trap();
}

// Reset through the methods your host description lists; halt() if the reset returns.
void reset(ResetMethod) {
  __builtin_trap();
}

// Linux boot registers from boot_args, in the order of ArchInfo::boot_registers; jump.
void hand_off(uint64_t, const uint64_t (&)[kMaxBootArgs]) {
  __builtin_trap();
}

}  // namespace styx::arch
