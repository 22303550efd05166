// SPDX-License-Identifier: GPL-2.0-only
// `styx run`: execute an image's purgatory in the emulator.
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <ostream>

#include "commands.h"
#include "emulate.h"
#include "parse.h"

namespace styx::cli {
namespace {

using host::hex;

nlohmann::ordered_json range_json(const std::optional<std::pair<uint64_t, uint64_t>>& range) {
  if (!range) return nullptr;
  return {{"addr", range->first}, {"size", range->second}};
}

nlohmann::ordered_json next_kernel_json(const NextKernelReport& n) {
  nlohmann::ordered_json j;
  j["cmdline"] = n.seen.cmdline;
  j["initrd"] = range_json(n.seen.initrd);
  if (n.initrd_matches) j["initrd"]["matches"] = *n.initrd_matches;
  j["ima"] = range_json(n.seen.ima);
  if (n.ima_records) j["ima"]["records"] = *n.ima_records;
  if (n.ima_matches) j["ima"]["matches"] = *n.ima_matches;
  auto& memory = j["memory"] = nlohmann::ordered_json::array();
  for (const auto& [start, size] : n.seen.memory)
    memory.push_back({{"start", start}, {"size", size}});
  if (!n.problem.empty()) j["problem"] = n.problem;
  return j;
}

void print_next_kernel(const NextKernelReport& n, std::ostream& out) {
  if (!n.problem.empty()) {
    out << "styx run: next kernel: cannot read its boot data: " << n.problem << "\n";
    return;
  }
  out << fmt::format("styx run: next kernel: command line \"{}\"\n", n.seen.cmdline);
  if (n.seen.initrd)
    out << fmt::format("styx run: next kernel: initrd {}+{}{}\n", hex(n.seen.initrd->first),
                       hex(n.seen.initrd->second),
                       n.initrd_matches.value_or(false) ? ", bytes match the input"
                                                        : ", bytes DIFFER from the input");
  if (n.seen.ima)
    out << fmt::format("styx run: next kernel: IMA list {}+{}, {} records{}\n",
                       hex(n.seen.ima->first), hex(n.seen.ima->second), n.ima_records.value_or(0),
                       n.ima_matches.value_or(false) ? ", equal to the carried list"
                                                     : ", DIFFERENT from the carried list");
  for (const auto& [start, size] : n.seen.memory)
    out << fmt::format("styx run: next kernel: RAM {}-{}\n", hex(start), hex(start + size));
}

}  // namespace

int cmd_run(const RunOptions& o, std::ostream& out) {
  const host::Image image = host::read_image(o.image);
  std::vector<Flip> flips;
  for (const auto& f : o.flips) flips.push_back(parse_flip(f, image));
  emu::RunInput in = run_input(image, flips);
  if (o.max_instructions) in.max_instructions = *o.max_instructions;
  NextKernelReport next;
  bool next_seen = false;
  report_next_kernel(in, image, next, next_seen);
  const emu::RunResult r = emu::run(in);

  const bool handoff_ok = r.outcome == emu::Outcome::kHandoff && r.register_problem.empty();
  const bool reported = r.outcome == emu::Outcome::kFailure || r.outcome == emu::Outcome::kReset;
  const int status = handoff_ok ? kExitOk : reported ? kExitFailure : kExitBadInput;
  const uint64_t verified = bytes_verified(r);
  const double per_byte =
      verified ? static_cast<double>(r.instructions) / static_cast<double>(verified) : 0.0;

  if (o.json) {
    nlohmann::ordered_json j;
    j["outcome"] = emu::outcome_name(r.outcome);
    j["console"] = r.console;
    j["entry"] = image.handoff.entry;
    j["pc"] = r.pc;
    nlohmann::ordered_json regs = nlohmann::ordered_json::object();
    for (const auto& [name, value] : r.registers) regs[name] = value;
    j["registers"] = regs;
    j["registers_ok"] = r.outcome == emu::Outcome::kHandoff && r.register_problem.empty();
    if (!r.register_problem.empty()) j["register_problem"] = r.register_problem;
    j["instructions"] = r.instructions;
    j["bytes_verified"] = verified;
    j["instructions_per_byte"] = per_byte;
    j["failed_segments"] = r.failed_segments;
    if (!r.reset_method.empty()) j["reset_method"] = r.reset_method;
    if (!r.detail.empty()) j["detail"] = r.detail;
    j["log"] = r.log_text;
    if (next_seen) j["next_kernel"] = next_kernel_json(next);
    out << j.dump(2) << "\n";
    return status;
  }
  out << r.console;
  if (!r.console.empty() && r.console.back() != '\n') out << "\n";
  out << fmt::format("styx run: {}: {}\n", emu::outcome_name(r.outcome),
                     describe_outcome(r, image));
  out << fmt::format("styx run: {} instructions", r.instructions);
  if (verified)
    out << fmt::format(", {} bytes verified, {:.2f} instructions per byte", verified, per_byte);
  out << "\n";
  if (next_seen) print_next_kernel(next, out);
  return status;
}

}  // namespace styx::cli
