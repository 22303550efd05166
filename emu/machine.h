// SPDX-License-Identifier: GPL-2.0-only
// A thin owner of one Unicorn engine. Every call into Unicorn goes through check(), so a failure of
// the emulator itself surfaces as one std::runtime_error naming the call; only start() reports
// Unicorn's error as a value, because there a fault is what the emulated program did.
#pragma once

#include <unicorn/unicorn.h>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "run.h"

namespace styx::emu {

/// Throws std::runtime_error "<call>: <uc_strerror(err)>" unless `err` is UC_ERR_OK.
void check(uc_err err, const char* call);

/// One Unicorn engine, opened in the constructor and closed in the destructor.
///
/// Hooks are std::functions owned by the Machine, so they live exactly as long as the engine.
/// An exception thrown by a hook stops the emulation and is rethrown by start(): it never unwinds
/// through Unicorn's C frames.
class Machine {
 public:
  using CodeHook = std::function<void(uint64_t address, uint32_t size)>;
  using InterruptHook = std::function<void(uint32_t intno)>;
  using InvalidMemoryHook = std::function<void(uc_mem_type type, uint64_t address, int size)>;
  using PortInHook = std::function<uint32_t(uint32_t port, int size)>;
  using PortOutHook = std::function<void(uint32_t port, int size, uint32_t value)>;
  using MmioRead = std::function<uint64_t(uint64_t offset, unsigned size)>;
  using MmioWrite = std::function<void(uint64_t offset, unsigned size, uint64_t value)>;

  Machine(uc_arch arch, uc_mode mode);
  ~Machine();
  Machine(const Machine&) = delete;
  Machine& operator=(const Machine&) = delete;

  /// The engine, for the rare call this class does not wrap.
  uc_engine* engine() const { return uc_; }

  /// Maps [begin, end) as readable, writable and executable RAM.
  void map_ram(uint64_t begin, uint64_t end);
  /// Maps [base, base + size) as a device; `offset` in the callbacks is relative to `base`.
  void map_mmio(uint64_t base, uint64_t size, MmioRead read, MmioWrite write);
  /// Whether any byte of [begin, end) is mapped, as RAM or as a device.
  bool is_mapped(uint64_t begin, uint64_t end) const;

  void write(uint64_t address, std::span<const uint8_t> bytes);
  std::vector<uint8_t> read(uint64_t address, size_t size);
  uint64_t reg_read(int reg);
  void reg_write(int reg, uint64_t value);

  /// Called at the start of each translation block that begins in [begin, end]; a stop()
  /// requested here takes effect before the block executes. begin > end means everywhere.
  void on_block(CodeHook hook, uint64_t begin = 1, uint64_t end = 0);
  /// Called before each instruction in [begin, end]. Slow: Unicorn instruments every instruction.
  void on_code(CodeHook hook, uint64_t begin = 1, uint64_t end = 0);
  /// Called for CPU exceptions and interrupts. Unicorn resumes after the hook unless it stops.
  void on_interrupt(InterruptHook hook);
  /// Called for an access to unmapped or protected memory; the access then faults.
  void on_invalid_memory(InvalidMemoryHook hook);
  /// Port I/O instructions (`insn` is the ISA's instruction id, e.g. UC_X86_INS_IN).
  void on_port_in(int insn, PortInHook hook);
  void on_port_out(int insn, PortOutHook hook);

  /// Runs from `begin` until the PC reaches `until`, a hook calls stop(), the CPU halts, or the
  /// program faults; returns Unicorn's verdict. Rethrows an exception a hook threw.
  uc_err start(uint64_t begin, uint64_t until);
  /// Asks the running emulation to stop (from a hook).
  void stop();
  /// Records `error` (from a hook) to be rethrown by start(), and stops.
  void fail(std::exception_ptr error);

 private:
  // Stores `fn` with a pointer back to this Machine; the result is the hook's user data.
  template <class Fn>
  void* keep(Fn fn);
  void add_hook(int type, void* callback, void* user_data, uint64_t begin, uint64_t end,
                int insn = 0);

  uc_engine* uc_ = nullptr;
  std::vector<std::shared_ptr<void>> callbacks_;
  std::vector<MemRange> mapped_;
  std::exception_ptr hook_error_;
};

}  // namespace styx::emu
