// SPDX-License-Identifier: GPL-2.0-only
// arm64: PL011 or 16550 MMIO console, PSCI SYSTEM_RESET over hvc or smc, Linux arm64 hand-off.
#include "arch.h"
#include "uart.h"

extern "C" [[noreturn]] void styx_arm64_enter(uint64_t entry, uint64_t dtb);

namespace styx::arch {

void console_putc(const Console& console, char c) {
  switch (static_cast<ConsoleKind>(console.kind)) {
    case ConsoleKind::kPl011: uart::pl011_putc(console.base, c); break;
    case ConsoleKind::kUart8250Mmio: uart::ns16550_putc(uart::Mmio8{console.base}, c); break;
    case ConsoleKind::kUart8250Mmio32: uart::ns16550_putc(uart::Mmio32{console.base}, c); break;
    default: break;  // none, or another ISA's kind: the host refuses those
  }
}

Console default_console() {
  return Console{static_cast<uint32_t>(ConsoleKind::kPl011), 0, 0x09000000};
}

void halt() {
  for (;;) asm volatile("wfi");
}

void reset(ResetMethod method) {
  constexpr uint64_t kPsciSystemReset = 0x84000009;
  register uint64_t x0 asm("x0") = kPsciSystemReset;
  if (method == ResetMethod::kPsciSmc) {
    asm volatile("smc #0" : "+r"(x0) : : "x1", "x2", "x3", "memory");
  } else {
    asm volatile("hvc #0" : "+r"(x0) : : "x1", "x2", "x3", "memory");
  }
  halt();
}

void hand_off(uint64_t entry, const uint64_t (&boot_args)[kMaxBootArgs]) {
  styx_arm64_enter(entry, boot_args[0]);
}

}  // namespace styx::arch
