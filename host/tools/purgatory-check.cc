// SPDX-License-Identifier: GPL-2.0-only
// Post-link check run by the build on every purgatory before it is embedded: fails the build on
// anything the host cannot load or that breaks the purgatory's rules (see check_purgatory()).
#include <cstdio>
#include <cstring>
#include <string>

#include "arch-info.h"
#include "code-check.h"
#include "error.h"
#include "file-io.h"
#include "purgatory.h"

int main(int argc, char** argv) {
  if (argc != 4 || std::strcmp(argv[1], "--arch") != 0) {
    std::fprintf(stderr, "usage: styx-purgatory-check --arch ISA PURGATORY.elf\n");
    return 2;
  }
  const styx::host::ArchInfo* arch = styx::host::find_arch(argv[2]);
  if (!arch) {
    std::fprintf(stderr, "styx-purgatory-check: unknown ISA '%s'\n", argv[2]);
    return 2;
  }
  try {
    const auto bytes = styx::host::read_file(argv[3]);
    const auto problems =
        styx::host::check_purgatory(bytes, *arch, argv[3], styx::host::find_code_check(argv[2]));
    for (const auto& p : problems) std::fprintf(stderr, "styx-purgatory-check: %s\n", p.c_str());
    return problems.empty() ? 0 : 1;
  } catch (const styx::host::InputError& e) {
    std::fprintf(stderr, "styx-purgatory-check: %s\n", e.what());
    return 2;
  }
}
