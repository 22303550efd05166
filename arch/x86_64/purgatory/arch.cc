// SPDX-License-Identifier: GPL-2.0-only
// x86_64: 16550 console on I/O ports or MMIO, reset through 0xCF9, Linux 64-bit boot hand-off.
#include "arch.h"
#include "sse-state.h"
#include "uart.h"

extern "C" [[noreturn]] void styx_x86_64_enter(uint64_t entry, uint64_t boot_params);

namespace styx::arch {
namespace {

struct PortIo {
  uint16_t base;
  uint8_t read(unsigned reg) const {
    uint8_t v;
    asm volatile("inb %1, %0" : "=a"(v) : "Nd"(static_cast<uint16_t>(base + reg)));
    return v;
  }
  void write(unsigned reg, uint8_t v) const {
    asm volatile("outb %0, %1" : : "a"(v), "Nd"(static_cast<uint16_t>(base + reg)));
  }
};

}  // namespace

void console_putc(const Console& console, char c) {
  switch (static_cast<ConsoleKind>(console.kind)) {
    case ConsoleKind::kUart8250Io:
      uart::ns16550_putc(PortIo{static_cast<uint16_t>(console.base)}, c);
      break;
    case ConsoleKind::kUart8250Mmio: uart::ns16550_putc(uart::Mmio8{console.base}, c); break;
    case ConsoleKind::kUart8250Mmio32: uart::ns16550_putc(uart::Mmio32{console.base}, c); break;
    default: break;  // none, or another ISA's kind: the host refuses those
  }
}

Console default_console() {
  return Console{static_cast<uint32_t>(ConsoleKind::kUart8250Io), 0, 0x3f8};
}

void halt() {
  for (;;) asm volatile("cli; hlt");
}

void reset(ResetMethod) {
  // Reset control register: select a hard reset (bit 1), then request it (bit 2).
  const PortIo cf9{0xcf9};
  cf9.write(0, 0x02);
  cf9.write(0, 0x06);
  halt();
}

void hand_off(uint64_t entry, const uint64_t (&boot_args)[kMaxBootArgs]) {
  restore_sse_state();  // the next kernel sees CR0/CR4 as the old one left them
  styx_x86_64_enter(entry, boot_args[0]);
}

}  // namespace styx::arch
