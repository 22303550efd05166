// SPDX-License-Identifier: GPL-2.0-only
// How cli.cc assembles `styx` from groups of subcommands. Each group adds its subcommands to the
// CLI11 app and records what runs when one of them is the one parsed; the groups that need the
// emulator or the kexec system calls live in files of their own, so a build can leave them out.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <iosfwd>
#include <vector>

namespace styx::cli {

struct Subcommand {
  CLI::App* app;
  std::function<int()> run;  ///< the exit status; may throw host::InputError
};
using Subcommands = std::vector<Subcommand>;

/// `run` and `demo`. emulator-commands.cc in `styx`; no-emulator.cc in `styx-static`, the lean
/// build for initramfs use, where they only say which binary has them.
void add_emulator_commands(CLI::App& app, Subcommands& commands, std::ostream& out);

/// `load`, `unload` and `exec` (kexec-commands.cc).
void add_kexec_commands(CLI::App& app, Subcommands& commands, std::ostream& out);

}  // namespace styx::cli
