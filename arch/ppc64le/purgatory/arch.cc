// SPDX-License-Identifier: GPL-2.0-only
// ppc64le: PAPR hypervisor console or a 16550 on MMIO, RTAS system-reboot on QEMU pseries, Linux
// ppc64 kexec hand-off.
#include "arch.h"
#include "uart.h"

extern "C" [[noreturn]] void styx_ppc64le_enter(uint64_t entry, uint64_t dtb, uint64_t kernel);

namespace styx::arch {
namespace {

constexpr uint64_t kHPutTermChar = 0x58;
constexpr uint64_t kHBusy = 1;
// QEMU pseries implements RTAS in the hypervisor behind this private hcall; SLOF's RTAS blob is
// only a trampoline to it.
constexpr uint64_t kKvmppcHRtas = 0xf000;
// QEMU's fixed token for system-reboot (RTAS_TOKEN_BASE + 4). Firmware publishes tokens in
// /rtas of the device tree, which the purgatory does not parse; QEMU's never change.
constexpr uint32_t kRtasSystemRebootToken = 0x2004;

// PAPR hcall through `sc 1`: r3 = opcode and return status, r4.. arguments; the hypervisor may
// clobber every volatile register.
uint64_t hcall(uint64_t opcode, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4) {
  register uint64_t r3 asm("r3") = opcode;
  register uint64_t r4 asm("r4") = a1;
  register uint64_t r5 asm("r5") = a2;
  register uint64_t r6 asm("r6") = a3;
  register uint64_t r7 asm("r7") = a4;
  asm volatile("sc 1"
               : "+r"(r3), "+r"(r4), "+r"(r5), "+r"(r6), "+r"(r7)
               :
               : "r0", "r8", "r9", "r10", "r11", "r12", "ctr", "xer", "cr0", "cr1", "cr5", "cr6",
                 "cr7", "memory");
  return r3;
}

// In hypervisor real mode plain loads and stores are cacheable; device registers need the
// cache-inhibited forms, as the kernel's real-mode udbg accessors use.
struct MmioCi8 {
  uintptr_t base;
  uint8_t read(unsigned reg) const {
    uint8_t v;
    asm volatile("sync; lbzcix %0, 0, %1" : "=r"(v) : "r"(base + reg) : "memory");
    return v;
  }
  void write(unsigned reg, uint8_t v) const {
    asm volatile("sync; stbcix %0, 0, %1" : : "r"(v), "r"(base + reg) : "memory");
  }
};

}  // namespace

void console_putc(const Console& console, char c) {
  switch (static_cast<ConsoleKind>(console.kind)) {
    case ConsoleKind::kHvterm: {
      // H_PUT_TERM_CHAR takes up to 16 bytes packed big-endian in r6:r7; the first byte is the
      // most significant of r6.
      const uint64_t packed = static_cast<uint64_t>(static_cast<uint8_t>(c)) << 56;
      for (uint32_t tries = 0; tries < uart::kSpinLimit; ++tries) {
        if (hcall(kHPutTermChar, console.base, 1, packed, 0) != kHBusy) break;
      }
      break;
    }
    case ConsoleKind::kUart8250Mmio: uart::ns16550_putc(MmioCi8{console.base}, c); break;
    default: break;  // none, or another ISA's kind: the host refuses those
  }
}

Console default_console() {
  return Console{static_cast<uint32_t>(ConsoleKind::kHvterm), 0, 0};
}

void halt() {
  // Low thread priority, then `wait` until an interrupt that, with MSR[EE] clear, never comes.
  for (;;) asm volatile("or 1, 1, 1\n\t.long 0x7c00007c" ::: "memory");
}

void reset(ResetMethod) {
  // RTAS arguments are big-endian words: token, nargs, nret, then the return status.
  alignas(8) volatile uint32_t args[4] = {__builtin_bswap32(kRtasSystemRebootToken), 0,
                                          __builtin_bswap32(1u), 0};
  hcall(kKvmppcHRtas, reinterpret_cast<uintptr_t>(args), 0, 0, 0);
  halt();
}

void hand_off(uint64_t entry, const uint64_t (&boot_args)[kMaxBootArgs]) {
  styx_ppc64le_enter(entry, boot_args[0], boot_args[1]);
}

}  // namespace styx::arch
