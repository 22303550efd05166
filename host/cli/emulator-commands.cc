// SPDX-License-Identifier: GPL-2.0-only
// `styx run` and `styx demo`: the commands that execute purgatories in the emulator.
#include <memory>
#include <ostream>

#include "arch-info.h"
#include "commands.h"
#include "error.h"
#include "parse.h"
#include "subcommands.h"

namespace styx::cli {
namespace {

// Parsed here rather than by CLI11, which reads "-1" into an unsigned as 2^64 - 1: no limit.
uint64_t instruction_budget(const std::string& text) {
  const auto v = host::parse_number(text);
  if (!v) throw host::InputError("--max-insns '" + text + "': not a number");
  if (*v == 0) throw host::InputError("--max-insns '" + text + "': must be at least 1");
  return *v;
}

}  // namespace

void add_emulator_commands(CLI::App& app, Subcommands& commands, std::ostream& out) {
  // CLI11 writes into the options while parsing, after this function has returned.
  auto run_opts = std::make_shared<RunOptions>();
  auto max_insns = std::make_shared<std::string>();
  auto* r = app.add_subcommand("run",
                               "Execute the image's purgatory in the emulator (exit 0 hand-off, "
                               "1 reported failure, 2 fault/timeout/bad input)");
  r->add_option("image", run_opts->image, "Styx image")->required();
  r->add_option("--flip", run_opts->flips,
                "SEG:BYTE:BIT flip one bit of a segment before running; repeatable");
  auto* max_opt =
      r->add_option("--max-insns", *max_insns, "Instruction budget (default 4000000000)");
  r->add_flag("--json", run_opts->json, kJsonHelp);
  commands.push_back({r, [=, &out] {
                        if (max_opt->count())
                          run_opts->max_instructions = instruction_budget(*max_insns);
                        return cmd_run(*run_opts, out);
                      }});

  auto demo_arch = std::make_shared<std::optional<std::string>>();
  auto* d =
      app.add_subcommand("demo", "Build a sample image, run it, corrupt one bit, run it again");
  d->add_option("--arch", *demo_arch,
                "ISA to demonstrate (default: every one: " + host::arch_names() + ")");
  commands.push_back({d, [=, &out] { return cmd_demo(*demo_arch, out); }});
}

}  // namespace styx::cli
