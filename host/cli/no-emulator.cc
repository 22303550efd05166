// SPDX-License-Identifier: GPL-2.0-only
// `styx-static` has no emulator: `run` and `demo` say so instead of being unknown commands.
#include <ostream>

#include "error.h"
#include "subcommands.h"

namespace styx::cli {

void add_emulator_commands(CLI::App& app, Subcommands& commands, std::ostream&) {
  for (const char* name : {"run", "demo"}) {
    auto* c = app.add_subcommand(name, "(needs the emulator: not in this lean build)");
    c->allow_extras();
    c->group("");  // keep them out of --help: they only explain their absence
    commands.push_back({c, [name]() -> int {
                          throw host::InputError(std::string(name) +
                                                 ": this lean styx has no emulator; use the full "
                                                 "`styx` build for run and demo");
                        }});
  }
}

}  // namespace styx::cli
