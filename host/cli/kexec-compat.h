// SPDX-License-Identifier: GPL-2.0-only
// kexec-tools' command line on top of `styx load`, `unload` and `exec` (kexec-compat.cc).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace styx::cli {

/// Runs `kexec ARGS...` with kexec-tools' options and exit status; `args` excludes argv[0].
int run_kexec_compat(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

/// Every option run_kexec_compat() takes ("--load", "-l", ...), for shell completion.
std::vector<std::string> kexec_option_names();

}  // namespace styx::cli
