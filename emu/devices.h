// SPDX-License-Identifier: GPL-2.0-only
// Console device models, as far as the purgatory's polled drivers see them: transmitters that are
// always ready and put every byte into the run's console text. ISA-neutral; each profile decides
// which devices its machine has and where.
#pragma once

#include <cstdint>
#include <functional>

#include "profile.h"

namespace styx::emu {

class Machine;

/// A 16550: the transmitter is always empty, bytes written to THR (DLAB clear) go to the console.
/// Registers are numbered 0-7 however the bus spaces them.
class Uart16550 {
 public:
  explicit Uart16550(State& state) : state_(state) {}
  uint8_t read(unsigned reg) const;
  void write(unsigned reg, uint8_t value);

 private:
  State& state_;
  uint8_t written_[8] = {};  // so a driver reads back what it programmed (LCR, IER, SCR, ...)
};

/// Maps a 16550 at `base` with registers `stride` bytes apart (1: uart8250,mmio; 4: mmio32).
/// Throws std::runtime_error if its page overlaps memory that is already mapped.
void map_uart16550(Machine& machine, State& state, uint64_t base, unsigned stride);

/// Maps a PL011 at `base`: DR (+0x00) goes to the console, FR (+0x18) reports both FIFOs empty.
/// Throws std::runtime_error if its page overlaps memory that is already mapped.
void map_pl011(Machine& machine, State& state, uint64_t base);

/// A timer for ISAs whose counter instruction Unicorn cannot run: every instance of it in the
/// purgatory's code (the chunk holding `input.start`, each `align` bytes) gets a hook that writes
/// the host's monotonic clock, at `hz`, into the instruction's destination and skips it. `decode`
/// gives the destination's Unicorn register for a little-endian instruction word that is a counter
/// read, or -1 (a destination that is a zero register: return -1 from `decode` too).
void serve_counter_reads(Machine& machine, const RunInput& input, size_t align, uint64_t hz,
                         int pc_register, const std::function<int(uint32_t)>& decode);

/// Whether a device occupying [base, base + size) could be mapped without overlapping anything.
bool device_fits(const Machine& machine, uint64_t base, uint64_t size);

}  // namespace styx::emu
