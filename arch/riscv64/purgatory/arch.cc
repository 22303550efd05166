// SPDX-License-Identifier: GPL-2.0-only
// riscv64: SBI debug console or 16550 MMIO console, SBI system reset, Linux RISC-V hand-off.
#include "arch.h"
#include "uart.h"

extern "C" [[noreturn]] void styx_riscv64_enter(uint64_t entry, uint64_t hart, uint64_t dtb);

namespace styx::arch {
namespace {

constexpr long kSbiExtDbcn = 0x4442434E;  // "DBCN"
constexpr long kSbiDbcnWriteByte = 2;
constexpr long kSbiLegacyPutchar = 0x01;
constexpr long kSbiExtSrst = 0x53525354;  // "SRST"
constexpr long kSrstColdReboot = 1;

// SBI calling convention: a7 = extension, a6 = function, a0.. = arguments; a0 = error on return.
long sbi_call(long ext, long fid, long arg0, long arg1 = 0) {
  register long a0 asm("a0") = arg0;
  register long a1 asm("a1") = arg1;
  register long a6 asm("a6") = fid;
  register long a7 asm("a7") = ext;
  asm volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a6), "r"(a7) : "memory");
  return a0;
}

void sbi_putc(char c) {
  // DBCN is SBI 2.0; older firmware (OpenSBI before 1.3) only has the legacy call, which
  // SBI 2.0 firmware may drop: try the new one first.
  if (sbi_call(kSbiExtDbcn, kSbiDbcnWriteByte, static_cast<unsigned char>(c)) != 0)
    sbi_call(kSbiLegacyPutchar, 0, static_cast<unsigned char>(c));
}

}  // namespace

void console_putc(const Console& console, char c) {
  switch (static_cast<ConsoleKind>(console.kind)) {
    case ConsoleKind::kSbi: sbi_putc(c); break;
    case ConsoleKind::kUart8250Mmio: uart::ns16550_putc(uart::Mmio8{console.base}, c); break;
    case ConsoleKind::kUart8250Mmio32: uart::ns16550_putc(uart::Mmio32{console.base}, c); break;
    default: break;  // none, or another ISA's kind: the host refuses those
  }
}

Console default_console() {
  // The SBI console works wherever there is an SBI, whatever UART the board has.
  return Console{static_cast<uint32_t>(ConsoleKind::kSbi), 0, 0};
}

void halt() {
  for (;;) asm volatile("wfi");
}

void reset(ResetMethod) {
  sbi_call(kSbiExtSrst, 0, kSrstColdReboot, 0);
  halt();
}

void hand_off(uint64_t entry, const uint64_t (&boot_args)[kMaxBootArgs]) {
  styx_riscv64_enter(entry, boot_args[0], boot_args[1]);
}

}  // namespace styx::arch
