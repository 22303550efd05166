// SPDX-License-Identifier: GPL-2.0-only
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "cli.h"
#include "kexec-compat.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  // Installed as (or linked to as) `kexec`, styx takes kexec-tools' command line.
  if (argc > 0 && std::filesystem::path(argv[0]).filename() == "kexec")
    return styx::cli::run_kexec_compat(args, std::cout, std::cerr);
  return styx::cli::run(args, std::cout, std::cerr);
}
