// SPDX-License-Identifier: GPL-2.0-only
// The generic runner: maps the machine a profile describes, runs the purgatory, and classifies
// how it stopped.
#include "run.h"

#include <algorithm>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>

#include "hex.h"
#include "machine.h"
#include "profile.h"
#include "run-options.h"

namespace styx::emu {
namespace {

// One executed translation block, and the instruction count before it.
struct Block {
  uint64_t address = 0;
  uint32_t size = 0;
  uint64_t count_before = 0;
};

struct SessionOptions {
  bool count_each_instruction = false;
  // A block to trace instruction by instruction, which makes Unicorn keep the PC exact there.
  std::optional<Block> watch;
};

// The first invalid access of a run.
struct MemFault {
  uc_mem_type type;
  uint64_t address;
};

std::string range_text(const MemRange& range) {
  return "[" + hex(range.begin) + ", " + hex(range.end) + ")";
}

bool is_data_access(uc_mem_type type) {
  return type != UC_MEM_FETCH_UNMAPPED && type != UC_MEM_FETCH_PROT && type != UC_MEM_FETCH;
}

std::string describe(const MemFault& fault) {
  switch (fault.type) {
    case UC_MEM_READ_UNMAPPED: return "read from unmapped memory at " + hex(fault.address);
    case UC_MEM_WRITE_UNMAPPED: return "write to unmapped memory at " + hex(fault.address);
    case UC_MEM_FETCH_UNMAPPED: return "fetch from unmapped memory at " + hex(fault.address);
    case UC_MEM_READ_PROT: return "read from protected memory at " + hex(fault.address);
    case UC_MEM_WRITE_PROT: return "write to protected memory at " + hex(fault.address);
    case UC_MEM_FETCH_PROT: return "fetch from protected memory at " + hex(fault.address);
    default: return "invalid access to " + hex(fault.address);
  }
}

// Whether every byte of [begin, end) lies in one of `ram` (sorted, disjoint).
bool covered(const std::vector<MemRange>& ram, uint64_t begin, uint64_t end) {
  for (const MemRange& range : ram) {
    if (begin >= end) break;
    if (range.begin <= begin && begin < range.end) begin = std::min(end, range.end);
  }
  return begin >= end;
}

void validate(const RunInput& input, const Profile& profile) {
  std::vector<MemRange> ram = input.ram;
  const uint64_t page = profile.page_size();
  for (const MemRange& range : ram) {
    if (range.end <= range.begin) {
      throw std::runtime_error("RAM range " + range_text(range) + " is empty");
    }
    if (range.begin % page || range.end % page) {
      throw std::runtime_error("RAM range " + range_text(range) + " is not aligned to " +
                               std::to_string(page) + "-byte pages");
    }
  }
  std::sort(ram.begin(), ram.end(),
            [](const MemRange& a, const MemRange& b) { return a.begin < b.begin; });
  for (size_t i = 1; i < ram.size(); ++i) {
    if (ram[i].begin < ram[i - 1].end) {
      throw std::runtime_error("RAM ranges " + range_text(ram[i - 1]) + " and " +
                               range_text(ram[i]) + " overlap");
    }
  }
  for (const Chunk& chunk : input.chunks) {
    const uint64_t end = chunk.addr + chunk.bytes.size();
    if (end < chunk.addr || !covered(ram, chunk.addr, end)) {
      throw std::runtime_error("chunk of " + std::to_string(chunk.bytes.size()) + " bytes at " +
                               hex(chunk.addr) + " is outside RAM");
    }
  }
}

uint64_t load(const std::vector<uint8_t>& bytes, size_t offset, size_t size, bool big_endian) {
  uint64_t value = 0;
  for (size_t i = 0; i < size; ++i) {
    const uint8_t byte = bytes[offset + (big_endian ? i : size - 1 - i)];
    value = value << 8 | byte;
  }
  return value;
}

// Field by field, so a big-endian target's log reads right on any host.
LogHeader decode_log_header(const std::vector<uint8_t>& bytes, bool big_endian) {
  auto u32 = [&](size_t offset) {
    return static_cast<uint32_t>(load(bytes, offset, 4, big_endian));
  };
  LogHeader header{};
  header.magic = load(bytes, offsetof(LogHeader, magic), 8, big_endian);
  header.size = u32(offsetof(LogHeader, size));
  header.used = u32(offsetof(LogHeader, used));
  header.status = u32(offsetof(LogHeader, status));
  header.failed_mask = u32(offsetof(LogHeader, failed_mask));
  header.segments_verified = u32(offsetof(LogHeader, segments_verified));
  header.reserved = u32(offsetof(LogHeader, reserved));
  header.bytes_verified = load(bytes, offsetof(LogHeader, bytes_verified), 8, big_endian);
  return header;
}

// One emulation of the input from power-on to stop.
class Session {
 public:
  Session(const RunInput& input, const Profile& profile, SessionOptions options)
      : input_(input),
        profile_(profile),
        options_(options),
        machine_(profile.arch(), profile.mode()) {}

  RunResult execute();

  // The block a data access fault happened in, when Unicorn's PC for it is not exact: Unicorn
  // reports such a fault at the start of the translation block, not at the instruction.
  std::optional<Block> imprecise_fault_block() const {
    if (options_.count_each_instruction || options_.watch || !fault_ || !last_block_) {
      return std::nullopt;
    }
    if (!is_data_access(fault_->type)) return std::nullopt;
    return last_block_;
  }

 private:
  void install_hooks();
  void on_block(uint64_t address, uint32_t size);
  uint64_t count(uint64_t address, uint32_t size);
  void classify(uc_err err, RunResult& result);
  uint64_t count_to_fault(uint64_t pc);
  Stop budget_exhausted(uint64_t pc) const {
    return {Outcome::kTimeout, "instruction budget of " + std::to_string(input_.max_instructions) +
                                   " exhausted at pc " + hex(pc)};
  }
  bool halted_at(uint64_t pc);
  void read_log(RunResult& result);

  const RunInput& input_;
  const Profile& profile_;
  const SessionOptions options_;
  State state_;
  Machine machine_;
  uint64_t instructions_ = 0;
  std::optional<Block> last_block_;
  std::optional<MemFault> fault_;
  // Instruction counts of the blocks seen so far, by address (with the size they had).
  std::unordered_map<uint64_t, std::pair<uint32_t, uint64_t>> counts_;
};

RunResult Session::execute() {
  for (const MemRange& range : input_.ram) machine_.map_ram(range.begin, range.end);
  profile_.setup(machine_, input_, state_);
  for (const Chunk& chunk : input_.chunks) machine_.write(chunk.addr, chunk.bytes);
  install_hooks();
  if (input_.before_run) input_.before_run(machine_);

  const uc_err err = machine_.start(input_.start, input_.entry);

  RunResult result;
  result.pc = profile_.pc(machine_);
  result.instructions = instructions_;
  classify(err, result);
  result.console = state_.console;
  result.registers = profile_.capture_registers(machine_);
  if (result.outcome == Outcome::kHandoff) {
    result.register_problem = profile_.check_boot_registers(result.registers, input_.boot_args);
  }
  read_log(result);
  if (!profile_.has_console_device()) result.console = result.log_text;
  if (input_.after_run) input_.after_run(machine_, result);
  return result;
}

void Session::install_hooks() {
  if (options_.count_each_instruction) {
    machine_.on_code([this](uint64_t address, uint32_t) {
      if (address == input_.entry) return;
      if (instructions_ + 1 > input_.max_instructions) {
        state_.request_stop(machine_, budget_exhausted(address));
        return;
      }
      ++instructions_;
    });
  } else {
    machine_.on_block([this](uint64_t address, uint32_t size) { on_block(address, size); });
  }
  if (options_.watch) {
    const Block& block = *options_.watch;
    machine_.on_code([](uint64_t, uint32_t) {}, block.address, block.address + block.size - 1);
  }
  machine_.on_interrupt([this](uint32_t intno) {
    if (std::optional<Stop> stop = profile_.interrupt(machine_, state_, intno)) {
      state_.request_stop(machine_, std::move(*stop));
    }
  });
  machine_.on_invalid_memory([this](uc_mem_type type, uint64_t address, int) {
    if (!fault_) fault_ = MemFault{type, address};
  });
}

void Session::on_block(uint64_t address, uint32_t size) {
  // The hand-off target is where the run ends, not code the purgatory executes.
  if (address == input_.entry) return;
  const uint64_t n = count(address, size);
  if (instructions_ + n > input_.max_instructions) {
    // Stopping from a block hook takes effect before the block runs, so the count stays exact.
    state_.request_stop(machine_, budget_exhausted(address));
    return;
  }
  last_block_ = Block{address, size, instructions_};
  instructions_ += n;
}

uint64_t Session::count(uint64_t address, uint32_t size) {
  auto [it, inserted] = counts_.try_emplace(address, size, 0);
  if (inserted || it->second.first != size) {
    const std::vector<uint8_t> code = machine_.read(address, size);
    it->second = {size, profile_.count_instructions(code.data(), code.size())};
  }
  return it->second.second;
}

void Session::classify(uc_err err, RunResult& result) {
  const uint64_t pc = result.pc;
  if (state_.stop) {
    result.outcome = state_.stop->outcome;
    (result.outcome == Outcome::kReset ? result.reset_method : result.detail) = state_.stop->what;
  } else if (err != UC_ERR_OK) {
    result.outcome = Outcome::kFault;
    result.detail =
        (fault_ ? describe(*fault_) : std::string(uc_strerror(err))) + ", pc " + hex(pc);
  } else if (pc == input_.entry) {
    result.outcome = Outcome::kHandoff;
  } else if (halted_at(pc)) {
    result.outcome = Outcome::kFailure;
  } else {
    result.outcome = Outcome::kFault;
    result.detail = "emulation stopped at pc " + hex(pc) + " for no known reason";
  }
  if (result.outcome == Outcome::kFault) result.instructions = count_to_fault(pc);
}

uint64_t Session::count_to_fault(uint64_t pc) {
  // The block hook counted the whole last block, but a fault inside it ends it early. Count up
  // to the faulting instruction, which started (as a per-instruction hook counts it). A fetch
  // fault happens outside any block.
  const bool fetch = fault_ && !is_data_access(fault_->type);
  if (options_.count_each_instruction || !last_block_ || fetch || pc < last_block_->address ||
      pc >= last_block_->address + last_block_->size) {
    return instructions_;
  }
  const std::vector<uint8_t> code = machine_.read(last_block_->address, pc - last_block_->address);
  return last_block_->count_before + profile_.count_instructions(code.data(), code.size()) + 1;
}

bool Session::halted_at(uint64_t pc) {
  const std::span<const uint8_t> halt = profile_.halt_instruction();
  if (pc < halt.size()) return false;
  try {
    const std::vector<uint8_t> before = machine_.read(pc - halt.size(), halt.size());
    return std::equal(halt.begin(), halt.end(), before.begin());
  } catch (const std::runtime_error&) {
    return false;
  }
}

void Session::read_log(RunResult& result) {
  if (input_.log_addr == 0 || input_.log_size < sizeof(LogHeader)) return;
  LogHeader header;
  try {
    header =
        decode_log_header(machine_.read(input_.log_addr, sizeof(LogHeader)), profile_.big_endian());
  } catch (const std::runtime_error&) {
    return;  // a log the purgatory could not have written either
  }
  if (header.magic != kLogMagic) return;
  result.log = header;
  for (uint32_t i = 0; i < 32; ++i) {
    if (header.failed_mask >> i & 1) result.failed_segments.push_back(i);
  }
  const uint64_t text =
      std::min<uint64_t>({header.used, header.size, input_.log_size - sizeof(LogHeader)});
  try {
    const std::vector<uint8_t> bytes = machine_.read(input_.log_addr + sizeof(LogHeader), text);
    result.log_text.assign(bytes.begin(), bytes.end());
  } catch (const std::runtime_error&) {
  }
}

const Profile& checked_profile(const RunInput& input) {
  const Profile* profile = find_profile(input.arch);
  if (!profile) {
    std::string known;
    for (const std::string& name : profile_names()) known += (known.empty() ? "" : ", ") + name;
    throw std::runtime_error("no emulator for ISA '" + input.arch + "' (supported: " + known + ")");
  }
  validate(input, *profile);
  return *profile;
}

}  // namespace

const char* outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::kHandoff: return "handoff";
    case Outcome::kFailure: return "failure";
    case Outcome::kReset: return "reset";
    case Outcome::kFault: return "fault";
    case Outcome::kTimeout: return "timeout";
  }
  return "unknown";
}

RunResult run_with(const RunInput& input, const RunOptions& options) {
  const Profile& profile = checked_profile(input);
  Session first(input, profile, {options.count_each_instruction, std::nullopt});
  RunResult result = first.execute();
  if (const std::optional<Block> block = first.imprecise_fault_block()) {
    // The run is deterministic: run it again with that block traced, which pins the PC and the
    // count to the faulting instruction. Costs a second run, for faults only.
    Session second(input, profile, {false, block});
    RunResult precise = second.execute();
    if (precise.outcome == Outcome::kFault) return precise;
  }
  return result;
}

RunResult run(const RunInput& input) {
  return run_with(input, {});
}

std::vector<std::string> supported_arches() {
  return profile_names();
}

}  // namespace styx::emu
