// SPDX-License-Identifier: GPL-2.0-only
// Runs a purgatory in Unicorn and reports what happened. This is the whole interface of the
// emulator library: the host turns a Styx image into a RunInput; nothing here knows image files.
#pragma once

#include <styx/handoff.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace styx::emu {

class Machine;
struct RunResult;

/// A half-open physical address range [begin, end).
struct MemRange {
  uint64_t begin = 0;
  uint64_t end = 0;
};

/// Bytes placed in RAM before the run.
struct Chunk {
  uint64_t addr = 0;
  std::vector<uint8_t> bytes;
};

struct RunInput {
  std::string arch;           ///< "x86_64", "arm64", ...
  std::vector<MemRange> ram;  ///< mapped as RAM, exactly these (page aligned)
  std::vector<Chunk> chunks;  ///< written into RAM in order
  uint64_t start = 0;         ///< the purgatory's entry point
  uint64_t entry = 0;         ///< the next kernel's entry: reaching it is the hand-off
  /// Expected values of the ISA's boot registers, in the ISA's order (x86_64: rsi; arm64: x0).
  std::vector<uint64_t> boot_args;
  Console console{};      ///< the console the purgatory was told to use
  uint64_t log_addr = 0;  ///< memory log (0 = none)
  uint64_t log_size = 0;
  uint64_t max_instructions = 4'000'000'000ull;
  /// Called after RAM is mapped and written, before the first instruction (tests patch memory).
  /// A memory fault is replayed once to pin its PC, so this may run twice; keep it idempotent.
  std::function<void(Machine&)> before_run;
  /// Called once the run has stopped and the result is filled in, with the machine's memory as
  /// the stop left it (e.g. to read what the next kernel would see). Same replay note as above.
  std::function<void(Machine&, RunResult&)> after_run;
};

enum class Outcome {
  kHandoff,  ///< reached `entry`
  kFailure,  ///< halted (the purgatory stops only after reporting a failure)
  kReset,    ///< the ISA's reset device was triggered
  kFault,    ///< unmapped access, invalid instruction, unexpected exception
  kTimeout,  ///< max_instructions executed without any of the above
};

const char* outcome_name(Outcome outcome);

struct RunResult {
  Outcome outcome = Outcome::kFault;
  std::string console;        ///< bytes written to the console device (CR removed)
  std::string detail;         ///< for a fault: what happened, at which address
  uint64_t pc = 0;            ///< where execution stopped
  uint64_t instructions = 0;  ///< exact count of executed instructions
  /// General registers at the stop, by their ISA names ("rsi", "x0", ...), and the control
  /// registers some tests check (x86_64 "cr0", "cr4"; riscv64 "stvec").
  std::map<std::string, uint64_t> registers;
  /// At a hand-off: empty when the boot registers are as the ISA's boot protocol requires,
  /// otherwise a one-line description of the first difference.
  std::string register_problem;
  std::optional<LogHeader> log;  ///< the memory log header, when its magic was valid
  std::string log_text;
  std::vector<uint32_t> failed_segments;  ///< from the log's failed_mask
  std::string reset_method;               ///< for kReset: "port 0xcf9", "psci hvc", "psci smc"
};

/// Runs one purgatory; throws std::runtime_error for input the emulator cannot set up (unknown
/// ISA, RAM that cannot be mapped, a chunk outside RAM).
RunResult run(const RunInput& input);

/// Names of the ISAs that have an emulator profile.
std::vector<std::string> supported_arches();

}  // namespace styx::emu
