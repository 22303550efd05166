// SPDX-License-Identifier: GPL-2.0-only
#include "emulate.h"

#include <fmt/format.h>

#include "error.h"
#include "ima.h"
#include "machine.h"
#include "parse.h"

namespace styx::cli {

using host::hex;
using host::InputError;

Flip parse_flip(const std::string& spec, const host::Image& image) {
  const auto bad = [&](const std::string& why) {
    return InputError("--flip '" + spec + "': " + why);
  };
  const size_t a = spec.find(':');
  const size_t b = a == std::string::npos ? a : spec.find(':', a + 1);
  if (b == std::string::npos) throw bad("expected SEG:BYTE:BIT");
  const auto seg = host::parse_number(spec.substr(0, a));
  const auto byte = host::parse_number(spec.substr(a + 1, b - a - 1));
  const auto bit = host::parse_number(spec.substr(b + 1));
  if (!seg || !byte || !bit) throw bad("expected three numbers SEG:BYTE:BIT");
  if (*seg >= image.segments.size())
    throw bad("no segment " + std::to_string(*seg) + " (the image has " +
              std::to_string(image.segments.size()) + ")");
  if (*byte >= image.segments[*seg].data.size())
    throw bad("segment " + std::to_string(*seg) + " has only " +
              std::to_string(image.segments[*seg].data.size()) + " bytes");
  if (*bit > 7) throw bad("bit must be 0..7");
  return {static_cast<uint32_t>(*seg), *byte, static_cast<unsigned>(*bit)};
}

emu::RunInput run_input(const host::Image& image, const std::vector<Flip>& flips) {
  emu::RunInput in;
  in.arch = std::string(image.arch->name);
  for (const auto& r : image.ram) in.ram.push_back({r.start, r.end()});
  for (size_t i = 0; i < image.segments.size(); ++i) {
    const auto& s = image.segments[i];
    if (s.data.empty()) continue;
    emu::Chunk c{s.addr, s.data};
    for (const Flip& f : flips)
      if (f.segment == i) c.bytes[f.byte] ^= static_cast<uint8_t>(1u << f.bit);
    in.chunks.push_back(std::move(c));
  }
  in.chunks.push_back({image.purgatory_addr, image.purgatory});
  in.start = image.purgatory_entry;
  in.entry = image.handoff.entry;
  for (size_t i = 0; i < image.arch->boot_registers.size(); ++i)
    in.boot_args.push_back(image.handoff.boot_args[i]);
  in.console = image.handoff.console;
  in.log_addr = image.handoff.log_addr;
  in.log_size = image.handoff.log_size;
  return in;
}

uint64_t bytes_verified(const emu::RunResult& result) {
  return result.log ? result.log->bytes_verified : 0;
}

std::string describe_outcome(const emu::RunResult& r, const host::Image& image) {
  switch (r.outcome) {
    case emu::Outcome::kHandoff: {
      std::string regs;
      for (auto name : image.arch->boot_registers) {
        const auto it = r.registers.find(std::string(name));
        if (it != r.registers.end()) regs += fmt::format(" {}={}", name, hex(it->second));
      }
      std::string s = fmt::format("handed off to the next kernel at {} with{}", hex(r.pc), regs);
      if (!r.register_problem.empty())
        s += " but the boot registers are wrong: " + r.register_problem;
      return s;
    }
    case emu::Outcome::kFailure:
    case emu::Outcome::kReset: {
      std::string named;
      for (uint32_t i : r.failed_segments)
        named += fmt::format("{}{} ({})", named.empty() ? "" : ", ", i,
                             role_name(image.segments.at(i).role));
      std::string s = named.empty() ? "the purgatory reported a failure"
                                    : "the purgatory named segment " + named + " as corrupt";
      if (r.outcome == emu::Outcome::kReset)
        return s + " and reset the machine through " + r.reset_method;
      return s + " and halted without starting the next kernel";
    }
    case emu::Outcome::kFault: return "emulation fault: " + r.detail;
    case emu::Outcome::kTimeout:
      return fmt::format("instruction budget exhausted after {} instructions at pc {}",
                         r.instructions, hex(r.pc));
  }
  return "unknown outcome";
}

}  // namespace styx::cli

namespace styx::cli {
namespace {

const host::ImageSegment* segment_with_role(const host::Image& image, Role role) {
  for (const auto& s : image.segments)
    if (s.role == role) return &s;
  return nullptr;
}

}  // namespace

void report_next_kernel(emu::RunInput& input, const host::Image& image, NextKernelReport& report,
                        bool& reported) {
  const host::ArchInfo& arch = *image.arch;
  if (!arch.read_next_kernel) return;
  input.after_run = [&image, &report, &reported](emu::Machine& machine, emu::RunResult& result) {
    if (result.outcome != emu::Outcome::kHandoff) return;
    const host::ArchInfo& arch = *image.arch;
    reported = true;
    report = {};
    const host::ReadMemory read = [&machine](uint64_t addr, uint64_t size) {
      return machine.read(addr, size);
    };
    std::vector<uint64_t> args(image.handoff.boot_args,
                               image.handoff.boot_args + arch.boot_registers.size());
    try {
      report.seen = arch.read_next_kernel(read, args);
      if (const auto& initrd = report.seen.initrd) {
        const host::ImageSegment* carried = segment_with_role(image, Role::kInitrd);
        report.initrd_matches = carried && carried->addr == initrd->first &&
                                carried->data.size() == initrd->second &&
                                read(initrd->first, initrd->second) == carried->data;
      }
      if (const auto& ima = report.seen.ima) {
        const host::ImaList seen = host::parse_ima_kexec_buffer(
            read(ima->first, ima->second), arch.big_endian, "IMA buffer at " + hex(ima->first));
        report.ima_records = seen.records.size();
        const host::ImageSegment* carried = segment_with_role(image, Role::kIma);
        report.ima_matches =
            carried && seen == host::parse_ima_kexec_buffer(carried->data, arch.big_endian,
                                                            "the image's IMA segment");
      }
    } catch (const std::exception& e) {
      report.problem = e.what();
    }
  };
}

}  // namespace styx::cli
