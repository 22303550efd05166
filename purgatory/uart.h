// SPDX-License-Identifier: GPL-2.0-only
// Polled UART transmitters shared by the ISAs. Each is templated on a register accessor, so one
// driver serves I/O ports and MMIO of any register width. The wait is bounded: a console that
// never becomes ready costs time, not the boot.
#pragma once

#include <stdint.h>

namespace styx::uart {

inline constexpr uint32_t kSpinLimit = 1u << 20;

/// 8-bit registers at consecutive MMIO addresses.
struct Mmio8 {
  uintptr_t base;
  uint8_t read(unsigned reg) const { return *reinterpret_cast<volatile uint8_t*>(base + reg); }
  void write(unsigned reg, uint8_t v) const {
    *reinterpret_cast<volatile uint8_t*>(base + reg) = v;
  }
};

/// 32-bit registers, four bytes apart.
struct Mmio32 {
  uintptr_t base;
  uint8_t read(unsigned reg) const {
    return static_cast<uint8_t>(*reinterpret_cast<volatile uint32_t*>(base + 4 * reg));
  }
  void write(unsigned reg, uint8_t v) const {
    *reinterpret_cast<volatile uint32_t*>(base + 4 * reg) = v;
  }
};

/// 16550: wait for THR empty (LSR bit 5), then write THR. The UART is used as the previous kernel
/// left it configured, as the kernel's own earlycon does.
template <class Io>
void ns16550_putc(const Io& io, char c) {
  constexpr unsigned kThr = 0, kLsr = 5;
  constexpr uint8_t kLsrThre = 0x20;
  for (uint32_t spins = 0; !(io.read(kLsr) & kLsrThre) && spins < kSpinLimit; ++spins) {
  }
  io.write(kThr, static_cast<uint8_t>(c));
}

/// PL011: wait while the transmit FIFO is full (FR bit 5), then write DR.
inline void pl011_putc(uintptr_t base, char c) {
  auto* dr = reinterpret_cast<volatile uint32_t*>(base + 0x00);
  auto* fr = reinterpret_cast<volatile uint32_t*>(base + 0x18);
  constexpr uint32_t kFrTxff = 0x20;
  for (uint32_t spins = 0; (*fr & kFrTxff) && spins < kSpinLimit; ++spins) {
  }
  *dr = static_cast<uint8_t>(c);
}

}  // namespace styx::uart
