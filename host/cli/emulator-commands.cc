// `styx run` and `styx demo`: the commands that execute purgatories in the emulator.
#include <memory>
#include <ostream>

#include "arch-info.h"
#include "commands.h"
#include "subcommands.h"

namespace styx::cli {

void add_emulator_commands(CLI::App& app, Subcommands& commands, std::ostream& out) {
  // CLI11 writes into the options while parsing, after this function has returned.
  auto run_opts = std::make_shared<RunOptions>();
  auto max_insns = std::make_shared<uint64_t>(0);
  auto* r = app.add_subcommand("run",
                               "Execute the image's purgatory in the emulator (exit 0 hand-off, "
                               "1 reported failure, 2 fault/timeout/bad input)");
  r->add_option("image", run_opts->image, "Styx image")->required();
  r->add_option("--flip", run_opts->flips,
                "SEG:BYTE:BIT flip one bit of a segment before running; repeatable");
  auto* max_opt =
      r->add_option("--max-insns", *max_insns, "Instruction budget (default 4000000000)");
  r->add_flag("--json", run_opts->json, "Machine-readable output");
  commands.push_back({r, [=, &out] {
                        if (max_opt->count()) run_opts->max_instructions = *max_insns;
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
