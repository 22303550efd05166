// SPDX-License-Identifier: GPL-2.0-only
// What the generic runner needs to know about one ISA. Each arch/<isa>/emu/profile.cc defines
// `const styx::emu::Profile& styx_emu_profile_<isa>()`; the build generates the table that
// find_profile() searches, so adding an ISA needs no edit here.
#pragma once

#include <unicorn/unicorn.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "run.h"

namespace styx::emu {

class Machine;

/// Why a hook ended the run early.
struct Stop {
  Outcome outcome = Outcome::kFault;
  std::string what;  ///< the reset method for kReset, otherwise a detail for the result
};

/// What devices and hooks observed during one run.
struct State {
  std::string console;       ///< text written to any console device, CR removed
  std::optional<Stop> stop;  ///< set by the first hook that ended the run

  /// Appends one byte written to a console's transmit register.
  void console_write(uint8_t byte) {
    if (byte != '\r') console.push_back(static_cast<char>(byte));
  }
  /// Ends the run at the next opportunity; the first request wins.
  void request_stop(Machine& machine, Stop why);
};

/// Names and registers of the general registers, in the order results list them.
using Registers = std::map<std::string, uint64_t>;

/// One ISA's machine: CPU mode, devices and boot protocol.
class Profile {
 public:
  virtual ~Profile() = default;

  virtual std::string_view name() const = 0;
  virtual uc_arch arch() const = 0;
  virtual uc_mode mode() const = 0;
  /// Alignment required of RAM ranges (at least Unicorn's mapping granule).
  virtual uint64_t page_size() const { return 4096; }
  /// Byte order of the target's data, for reading the memory log.
  virtual bool big_endian() const { return false; }
  /// Whether the emulator models a console device. A new port whose console the emulator cannot
  /// see yet (every port here has one) gets the memory log text as its console instead.
  virtual bool has_console_device() const { return true; }

  /// Prepares a machine whose RAM is mapped: entry CPU state, device models, ISA hooks (I/O
  /// ports, ...). Throws std::runtime_error for a console it cannot place.
  virtual void setup(Machine& machine, const RunInput& input, State& state) const = 0;

  virtual uint64_t pc(Machine& machine) const = 0;
  /// Exact number of instructions in `size` bytes of straight-line code (one translation block).
  virtual uint64_t count_instructions(const uint8_t* code, size_t size) const = 0;
  /// The general registers by their ISA names, including the stack pointer and the PC.
  virtual Registers capture_registers(Machine& machine) const = 0;
  /// At a hand-off: "" when the registers are as the ISA's boot protocol requires, otherwise a
  /// one-line description of the first difference. `boot_args` are in Handoff::boot_args order.
  virtual std::string check_boot_registers(const Registers& registers,
                                           const std::vector<uint64_t>& boot_args) const = 0;
  /// The halt instruction in memory order; a clean stop just past it is a halt.
  virtual std::span<const uint8_t> halt_instruction() const = 0;
  /// Classifies a CPU exception or interrupt `intno` (`state` takes console output): why the run
  /// stops, or nullopt when the profile handled it as firmware would (an SBI call) and the run goes
  /// on. The default calls every one a fault; ISAs whose reset method or console is an exception
  /// override it.
  virtual std::optional<Stop> interrupt(Machine& machine, State& state, uint32_t intno) const;
};

/// A register and the value a boot protocol wants in it.
struct Expected {
  std::string_view name;
  uint64_t value;
};

/// "" when `registers` holds every `expected` value, otherwise the first difference as
/// "x1 = 0x5, expected 0". For Profile::check_boot_registers.
std::string first_difference(const Registers& registers, std::span<const Expected> expected);

/// The profile of ISA `name`, or nullptr.
const Profile* find_profile(std::string_view name);
/// Names of every ISA with a profile, sorted.
std::vector<std::string> profile_names();

}  // namespace styx::emu
