// SPDX-License-Identifier: GPL-2.0-only
// `styx docs`: manual pages and shell completions made from the command line's definitions.
#pragma once

#include <CLI/CLI.hpp>

#include <iosfwd>
#include <string>

namespace styx::cli {

/// `what`: "man" writes styx.1 and one page per command into `dir`; "bash" and "zsh" print a
/// completion script. InputError for anything else.
int write_docs(const CLI::App& app, const std::string& what, const std::string& dir,
               std::ostream& out);

}  // namespace styx::cli
