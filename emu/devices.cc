// SPDX-License-Identifier: GPL-2.0-only
#include "devices.h"

#include <chrono>
#include <memory>
#include <stdexcept>

#include "hex.h"
#include "machine.h"

namespace styx::emu {
namespace {

// Devices are mapped in whole pages of this size: a multiple of every ISA's mapping granule.
constexpr uint64_t kDevicePage = 4096;

constexpr unsigned kThr = 0, kIir = 2, kLcr = 3, kLsr = 5;
constexpr uint8_t kLcrDlab = 0x80;
constexpr uint8_t kLsrIdle = 0x60;  // THRE | TEMT: transmit holding register and shifter empty
constexpr uint8_t kIirNone = 0x01;  // no interrupt pending

constexpr uint64_t kPl011Dr = 0x00, kPl011Fr = 0x18;
constexpr uint32_t kPl011FrIdle = 0x90;  // TXFE | RXFE: nothing to send, nothing received

uint64_t page_floor(uint64_t address) {
  return address & ~(kDevicePage - 1);
}
uint64_t page_ceil(uint64_t address) {
  return page_floor(address + kDevicePage - 1);
}

// Maps the pages holding [base, base + span); callbacks get offsets relative to `base`, and
// accesses to the rest of those pages read 0 and are ignored.
void map_device(Machine& machine, uint64_t base, uint64_t span, Machine::MmioRead read,
                Machine::MmioWrite write) {
  const uint64_t begin = page_floor(base), end = page_ceil(base + span);
  if (machine.is_mapped(begin, end)) {
    throw std::runtime_error("console device at " + hex(base) + " overlaps mapped memory");
  }
  const uint64_t skew = base - begin;
  machine.map_mmio(
      begin, end - begin,
      [=, read = std::move(read)](uint64_t offset, unsigned size) -> uint64_t {
        if (offset < skew || offset - skew >= span) return 0;
        return read(offset - skew, size);
      },
      [=, write = std::move(write)](uint64_t offset, unsigned size, uint64_t value) {
        if (offset < skew || offset - skew >= span) return;
        write(offset - skew, size, value);
      });
}

}  // namespace

uint8_t Uart16550::read(unsigned reg) const {
  const bool dlab = written_[kLcr] & kLcrDlab;
  switch (reg) {
    case kThr: return dlab ? written_[kThr] : 0;  // divisor latch, or an empty receiver
    case kIir: return kIirNone;
    case kLsr: return kLsrIdle;
    default: return written_[reg & 7];
  }
}

void Uart16550::write(unsigned reg, uint8_t value) {
  reg &= 7;
  if (reg == kThr && !(written_[kLcr] & kLcrDlab)) {
    state_.console_write(value);
    return;
  }
  written_[reg] = value;
}

void map_uart16550(Machine& machine, State& state, uint64_t base, unsigned stride) {
  auto uart = std::make_shared<Uart16550>(state);
  map_device(
      machine, base, uint64_t{8} * stride,
      [=](uint64_t offset, unsigned) -> uint64_t {
        return offset % stride ? 0 : uart->read(offset / stride);
      },
      [=](uint64_t offset, unsigned, uint64_t value) {
        if (offset % stride == 0) uart->write(offset / stride, static_cast<uint8_t>(value));
      });
}

void map_pl011(Machine& machine, State& state, uint64_t base) {
  map_device(
      machine, base, kDevicePage,
      [](uint64_t offset, unsigned) -> uint64_t { return offset == kPl011Fr ? kPl011FrIdle : 0; },
      [&state](uint64_t offset, unsigned, uint64_t value) {
        if (offset == kPl011Dr) state.console_write(static_cast<uint8_t>(value));
      });
}

bool device_fits(const Machine& machine, uint64_t base, uint64_t size) {
  return !machine.is_mapped(page_floor(base), page_ceil(base + size));
}

void serve_counter_reads(Machine& machine, const RunInput& input, size_t align, uint64_t hz,
                         int pc_register, const std::function<int(uint32_t)>& decode) {
  const auto start = std::chrono::steady_clock::now();
  for (const Chunk& chunk : input.chunks) {
    if (input.start < chunk.addr || input.start - chunk.addr >= chunk.bytes.size()) continue;
    for (size_t o = 0; o + 4 <= chunk.bytes.size(); o += align) {
      const uint8_t* b = chunk.bytes.data() + o;
      const int rd =
          decode(uint32_t{b[3]} << 24 | uint32_t{b[2]} << 16 | uint32_t{b[1]} << 8 | b[0]);
      if (rd < 0) continue;
      const uint64_t at = chunk.addr + o;
      machine.on_code(
          [&machine, rd, at, start, hz, pc_register](uint64_t, uint32_t) {
            const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                std::chrono::steady_clock::now() - start)
                                .count();
            machine.reg_write(rd, static_cast<uint64_t>(ns) / 1000 * hz / 1'000'000);
            machine.reg_write(pc_register, at + 4);
          },
          at, at);
    }
  }
}

}  // namespace styx::emu
