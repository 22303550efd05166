// `styx run`: execute an image's purgatory in the emulator.
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <ostream>

#include "commands.h"
#include "emulate.h"
#include "parse.h"

namespace styx::cli {

int cmd_run(const RunOptions& o, std::ostream& out) {
  const host::Image image = host::read_image(o.image);
  std::vector<Flip> flips;
  for (const auto& f : o.flips) flips.push_back(parse_flip(f, image));
  emu::RunInput in = run_input(image, flips);
  if (o.max_instructions) in.max_instructions = *o.max_instructions;
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
    j["entry"] = host::hex(image.handoff.entry);
    j["pc"] = host::hex(r.pc);
    nlohmann::ordered_json regs = nlohmann::ordered_json::object();
    for (const auto& [name, value] : r.registers) regs[name] = host::hex(value);
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
  return status;
}

}  // namespace styx::cli
